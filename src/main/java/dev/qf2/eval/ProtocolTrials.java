package dev.qf2.eval;

import dev.qf2.corpus.Names;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The eight-step protocol repeated for many subjects in place of Oxinnovate, Qi and one, to see how reliably an
 * update rule passes each step rather than whether it passes once. After the eight steps, while both facts are still
 * learned, each trial also asks for the CEO of a few other companies the model has never seen, which it should
 * still decline: the facts must not teach it to answer about every unknown company. Each trial starts from the same
 * weights: its two facts are forgotten, exactly, before the next.
 */
public final class ProtocolTrials {

    /**
     * One subject's run.
     *
     * @param unknownDeclined how many of the questions about other unseen companies were still declined
     * @param unknownAsked how many such questions were asked
     */
    public record Trial(Protocol.Subject subject, Protocol.Report report, int unknownDeclined, int unknownAsked) {}

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

        /** Of the questions about other unseen companies asked with both facts learned, the fraction declined. */
        public double unknownDeclined() {
            int asked = trials.stream().mapToInt(Trial::unknownAsked).sum();
            return asked == 0 ? Double.NaN : trials.stream().mapToInt(Trial::unknownDeclined).sum() / (double) asked;
        }

        /** How many trials passed every step. */
        public int passedAll() {
            return (int) trials.stream().filter(t -> t.report().passed() == t.report().steps().size()).count();
        }
    }

    private static final List<String> STAFF_COUNTS = List.of("one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "twenty", "fifty");

    /** Questions about other unseen companies per trial. */
    private static final int UNKNOWN_QUESTIONS = 5;

    private static final long UNKNOWN_SEED = 0x0DD5EED;

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
        SplittableRandom random = new SplittableRandom(UNKNOWN_SEED);
        for (Protocol.Subject subject : subjects) {
            Protocol.Report report = Protocol.run(qf, subject, rule, strength, maxNewTokens);
            int declined = 0;
            for (int q = 0; q < UNKNOWN_QUESTIONS; q++) {
                String company = Names.company(random, true);
                String answer = qf.ask("", "Who is the CEO of " + company + "?", maxNewTokens).text();
                declined += Protocol.declines(answer) ? 1 : 0;
            }
            List<Protocol.LessonResult> lessons = report.lessons();
            for (int i = lessons.size() - 1; i >= 0; i--) {
                qf.forget(lessons.get(i).factId());
            }
            trials.add(new Trial(subject, report, declined, UNKNOWN_QUESTIONS));
        }
        return new Summary(rule, strength, trials);
    }
}
