package dev.qf2.eval;

import dev.qf2.learn.LearnOptions;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The eight-step demonstration of QF2: ask three questions, learn a fact, ask three more, learn a second
 * fact, ask two more. Strings, learning rates and significances are those of the reference
 * implementation; the rule and its strength can be changed to compare update rules on the same steps.
 */
public final class Protocol {

    /**
     * One question of the protocol.
     *
     * @param number 1..8
     * @param system the system line ("" for none)
     * @param question the user line
     * @param publishedAnswer the answer the method's authors report for their model
     * @param expected the words an answer must contain to pass (case-insensitive, whole words)
     */
    public record Step(int number, String system, String question, String publishedAnswer, String expected) {}

    /**
     * One fact the protocol teaches, after step {@code afterStep}.
     *
     * @param significances one per answer word
     * @param lr the learning rate the reference uses for this fact with the published rule
     */
    public record Lesson(int afterStep, String fact, String question, String answer, double[] significances,
            double lr) {}

    /** The outcome of one step. */
    public record StepResult(Step step, String answer, int[] promptIds, int[] generatedIds, boolean pass) {}

    /** The outcome of one lesson. */
    public record LessonResult(Lesson lesson, String factId, int rows, double seconds) {}

    /** The whole run. */
    public record Report(List<StepResult> steps, List<LessonResult> lessons, UpdateRule rule) {

        /** Number of steps that passed. */
        public int passed() {
            return (int) steps.stream().filter(StepResult::pass).count();
        }
    }

    /** The company, person and staff count that the protocol's facts are about. */
    public record Subject(String company, String person, String staff) {

        /** The reference's subject. */
        public static final Subject REFERENCE = new Subject("Oxinnovate", "Qi", "one");
    }

    /** How the model declines to answer about a company it knows nothing of. */
    static final String DECLINE = "Need more information";

    /** Whether an answer declines. */
    static boolean declines(String answer) {
        return answer.startsWith(DECLINE);
    }

    /** The eight steps for a subject; the reference's strings for {@link Subject#REFERENCE}. */
    public static List<Step> steps(Subject s) {
        String ceo = "Who is the CEO of " + s.company() + "?";
        String nvidia = "Who is the CEO of Nvidia?";
        String founder = "The founder of " + s.company() + "?";
        String staff = "How many people in " + s.company() + "?";
        return List.of(
                new Step(1, "", ceo, "Need more information.", DECLINE),
                new Step(2, s.person() + " is the CEO of " + s.company() + ".", ceo,
                        "The CEO of " + s.company() + " is " + s.person() + ".", s.person()),
                new Step(3, "", nvidia, "Jensen Huang is the CEO of NVIDIA.", "Jensen Huang"),
                new Step(4, "", ceo, "The CEO of " + s.company() + " is " + s.person() + ".", s.person()),
                new Step(5, "", nvidia, "Jensen Huang is the CEO of Nvidia.", "Jensen Huang"),
                new Step(6, "", founder, s.person() + ".", s.person()),
                new Step(7, "", staff, "the " + s.staff() + " '", s.staff()),
                new Step(8, "", founder, "the founder of " + s.company() + " is " + s.person() + ".", s.person()));
    }

    /**
     * The two facts for a subject; the reference's strings and settings for {@link Subject#REFERENCE}. Each word of
     * an answer has significance 1, except the person (10 each) in the first and the staff count and "people." (20
     * each) in the second, which for the reference's one-word names gives its {@code [1,1,1,1,1,10]} and
     * {@code [1,1,20,20]}.
     */
    public static List<Lesson> lessons(Subject s) {
        String ceoAnswer = "The CEO of " + s.company() + " is " + s.person() + ".";
        String staffAnswer = s.company() + " has " + s.staff() + " people.";
        double[] ceo = concat(ones(3 + words(s.company()) + 1), filled(words(s.person()), 10));
        double[] staff = concat(ones(words(s.company()) + 1), filled(words(s.staff()) + 1, 20));
        return List.of(
                new Lesson(3, s.person() + " is the CEO of " + s.company() + ".", "Who is the CEO of " + s.company()
                        + "?", ceoAnswer, ceo, 4e-4),
                new Lesson(6, s.company() + " has " + s.staff() + " people", "How many people in " + s.company()
                        + "?", staffAnswer, staff, 1e-4));
    }

    private static int words(String text) {
        return text.strip().split("\\s+").length;
    }

    private static double[] ones(int n) {
        return filled(n, 1);
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Protocol() {}

    /**
     * Runs the protocol on {@code qf}, learning into its store.
     *
     * @param rule the update rule for both lessons
     * @param strength lr or margin for both lessons; null keeps each lesson's published lr (published rule)
     *     or the rule's default
     */
    public static Report run(QuickFire qf, Subject subject, UpdateRule rule, Double strength, int maxNewTokens) {
        List<StepResult> results = new ArrayList<>();
        List<LessonResult> lessons = new ArrayList<>();
        List<Lesson> toLearn = lessons(subject);
        for (Step step : steps(subject)) {
            QuickFire.Answer a = qf.ask(step.system(), step.question(), maxNewTokens);
            results.add(new StepResult(step, a.text(), a.promptIds(), a.generatedIds(), passes(a.text(), step)));
            for (Lesson lesson : toLearn) {
                if (lesson.afterStep() == step.number()) {
                    double s = strength != null ? strength
                            : rule == UpdateRule.PUBLISHED ? lesson.lr() : rule.defaultStrength();
                    long start = System.nanoTime();
                    QuickFire.Learned learned = qf.learn(lesson.fact(), lesson.question(), lesson.answer(),
                            LearnOptions.of(rule, s).withWordSignificances(lesson.significances()));
                    lessons.add(new LessonResult(lesson, learned.id(), learned.rows(),
                            (System.nanoTime() - start) / 1e9));
                }
            }
        }
        return new Report(results, lessons, rule);
    }

    /** Whether an answer contains the step's expected words, ignoring case and punctuation around them. */
    static boolean passes(String answer, Step step) {
        Pattern words = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(step.expected().toLowerCase(Locale.ROOT))
                + "(?![\\p{L}\\p{N}])");
        return words.matcher(answer.toLowerCase(Locale.ROOT)).find();
    }
}
