package dev.qf2.eval;

import dev.qf2.corpus.Names;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The eight-step protocol repeated for many subjects in place of Oxinnovate, Qi and one, to see how reliably an
 * update rule passes each step rather than whether it passes once. Each trial starts from the same weights:
 * its two facts are forgotten, exactly, before the next.
 */
public final class ProtocolTrials {

    /** One subject's run. */
    public record Trial(Protocol.Subject subject, Protocol.Report report) {}

    /**
     * Every trial of one rule.
     *
     * @param strength the strength used, or null for each lesson's published lr / the rule's default
     */
    public record Summary(UpdateRule rule, Double strength, List<Trial> trials) {

        /** For each step 1..8, how many trials passed it. */
        public int[] passesPerStep() {
            int steps = trials.isEmpty() ? 0 : trials.get(0).report().steps().size();
            int[] passes = new int[steps];
            for (Trial t : trials) {
                List<Protocol.StepResult> results = t.report().steps();
                for (int i = 0; i < steps; i++) {
                    passes[i] += results.get(i).pass() ? 1 : 0;
                }
            }
            return passes;
        }

        /** How many trials passed every step. */
        public int passedAll() {
            return (int) trials.stream().filter(t -> t.report().passed() == t.report().steps().size()).count();
        }
    }

    private static final List<String> STAFF_COUNTS = List.of("one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "twenty", "fifty");

    private ProtocolTrials() {}

    /**
     * Random subjects in place of Oxinnovate, Qi and one: invented company and person names from the evaluation side
     * of {@link Names}' split (never in the training corpus) and a staff count written as a word. The same seed
     * gives the same subjects.
     */
    public static List<Protocol.Subject> randomSubjects(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Protocol.Subject> subjects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String company = Names.company(random, true);
            String person = Names.person(random, true);
            subjects.add(new Protocol.Subject(company, person, STAFF_COUNTS.get(random.nextInt(STAFF_COUNTS.size()))));
        }
        return subjects;
    }

    /**
     * Runs the protocol once per subject, learning into {@code qf}'s store and forgetting each trial's facts
     * afterwards, so the store ends as it began.
     */
    public static Summary run(QuickFire qf, List<Protocol.Subject> subjects, UpdateRule rule, Double strength,
            int maxNewTokens) {
        List<Trial> trials = new ArrayList<>();
        for (Protocol.Subject subject : subjects) {
            Protocol.Report report = Protocol.run(qf, subject, rule, strength, maxNewTokens);
            List<Protocol.LessonResult> lessons = report.lessons();
            for (int i = lessons.size() - 1; i >= 0; i--) {
                qf.forget(lessons.get(i).factId());
            }
            trials.add(new Trial(subject, report));
        }
        return new Summary(rule, strength, trials);
    }
}
