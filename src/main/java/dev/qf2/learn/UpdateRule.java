package dev.qf2.learn;

import dev.qf2.Qf2Exception;
import dev.qf2.store.Factors;
import java.util.Arrays;
import java.util.Locale;

/** The ways a recorded fact becomes a weight update, offered side by side. */
public enum UpdateRule {

    /**
     * The published rule, {@code lr * s_i * (Ystar_i - 0.5)} per row. Its effect depends on the learning
     * rate and significances chosen for each fact and on the scale of the block input.
     */
    PUBLISHED("published"),

    /**
     * Moves each row's pre-activations by {@code margin * (Ystar_i - y_i)}, divided by {@code |X'_i|^2}:
     * no learning rate to tune per fact or per model.
     */
    NORMALISED("normalized"),

    /**
     * The smallest change (plain minimum norm) that gives every unit the fact's sign with a margin on all answer
     * rows jointly; the strength is the margin in units of the sigmoid's argument.
     */
    LEAST_SQUARES("least-squares"),

    /**
     * As {@link #LEAST_SQUARES}, but smallest in the metric of the block input's second moment over ordinary text,
     * so that typical inputs move least; needs the model's {@link FiringInputStatistics}.
     */
    WHITENED("whitened"),

    /**
     * As {@link #WHITENED}, and also holding the block's pre-activations still where the model decides how to begin
     * its answer to each of the model's {@link AnchorQuestions}: questions it must go on answering as before (for the
     * shipped model, questions about companies it was never told about, which it declines). Without them a fact about
     * one company also changes the answers about others; needs the statistics and the anchor questions.
     */
    ANCHORED("anchored"),

    /**
     * As {@link #WHITENED}, but only the answer rows the model gets wrong without the fact are moved; the rows it
     * already predicts right (the answer's template, a name it copies from the question) are held still like an
     * earlier fact's. Facts then stop competing for the rows they share.
     */
    FOCUSED("focused");

    private final String label;

    UpdateRule(String label) {
        this.label = label;
    }

    /** The name used on the command line, in the fact journal and in JSON reports. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String label() {
        return label;
    }

    /** Parses a rule name as printed by {@link #label()}. */
    public static UpdateRule parse(String text) {
        for (UpdateRule rule : values()) {
            if (rule.label.equals(text.toLowerCase(Locale.ROOT)) || rule.name().equalsIgnoreCase(text)) {
                return rule;
            }
        }
        throw new Qf2Exception("unknown update rule '" + text + "': use one of "
                + Arrays.stream(values()).map(UpdateRule::label).toList());
    }

    /**
     * The factors of this rule for a recording.
     *
     * @param strength lr (published) or the margin (the others)
     * @param beta the firing block's beta
     * @param statistics the block input's statistics, needed by {@link #WHITENED} only; may be null otherwise
     * @param preserved inputs at which the least-squares rules keep the pre-activations unchanged (the answer rows
     *     of earlier facts, and for {@link #ANCHORED} the anchor rows), (M, H) row-major; the other rules ignore it
     * @throws Qf2Exception if a rule that {@link #needsStatistics()} has none
     * @throws IllegalArgumentException if {@link #FOCUSED} gets a recording made without predictions
     */
    public Factors factors(Qf2Update.Recording recording, double strength, double beta,
            FiringInputStatistics statistics, float[] preserved) {
        int intermediate = recording.ystar().length / Math.max(1, recording.rows());
        int hidden = recording.xprime().length / Math.max(1, recording.rows());
        return switch (this) {
            case PUBLISHED -> Qf2Update.published(recording, strength, intermediate, hidden);
            case NORMALISED -> Qf2Update.normalised(recording, strength, intermediate, hidden);
            case LEAST_SQUARES -> Qf2Update.leastSquares(recording, strength, beta, null, preserved);
            case WHITENED, ANCHORED, FOCUSED -> {
                if (statistics == null) {
                    throw new Qf2Exception("the " + label + " rule needs the statistics of the firing block's input "
                            + "(" + FiringInputStatistics.FILE_NAME + "): measure them with 'qf2 statistics', or "
                            + "use --rule least-squares");
                }
                boolean[] settled = null;
                if (movesOnlyWrongRows()) {
                    settled = recording.settledRows();
                    if (settled == null) {
                        throw new IllegalArgumentException("the " + label + " rule needs a recording with the "
                                + "model's predictions (Qf2Update.record with predict)");
                    }
                }
                yield Qf2Update.leastSquares(recording, strength, beta, statistics.inverse(), preserved, settled);
            }
        };
    }

    /** Whether the rule holds the answer rows of earlier facts unchanged, and so needs their inputs. */
    public boolean keepsEarlierFacts() {
        return this != PUBLISHED && this != NORMALISED;
    }

    /** Whether the rule needs to know which answer rows the model already predicts right. */
    public boolean movesOnlyWrongRows() {
        return this == FOCUSED;
    }

    /** Whether the rule also holds the rows of the model's anchor questions unchanged. */
    public boolean usesAnchors() {
        return this == ANCHORED;
    }

    /** Whether the rule needs the statistics of the firing block's input. */
    public boolean needsStatistics() {
        return keepsEarlierFacts() && this != LEAST_SQUARES;
    }

    /** The strength used when none is given: the reference's first learning rate, or the rule's margin. */
    public double defaultStrength() {
        return switch (this) {
            case PUBLISHED -> 4e-4;
            case NORMALISED -> 2.0;
            case LEAST_SQUARES, WHITENED, ANCHORED, FOCUSED -> 4.0;
        };
    }
}
