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
    NORMALISED("normalized");

    private final String label;

    UpdateRule(String label) {
        this.label = label;
    }

    /** The name used on the command line and in the fact journal. */
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

    /** The factors of this rule for a recording; {@code strength} is lr or the margin. */
    public Factors factors(Qf2Update.Recording recording, double strength, int intermediate, int hidden) {
        return switch (this) {
            case PUBLISHED -> Qf2Update.published(recording, strength, intermediate, hidden);
            case NORMALISED -> Qf2Update.normalised(recording, strength, intermediate, hidden);
        };
    }

    /** The strength used when none is given: the reference's first learning rate, or a margin of 2. */
    public double defaultStrength() {
        return this == PUBLISHED ? 4e-4 : 2.0;
    }
}
