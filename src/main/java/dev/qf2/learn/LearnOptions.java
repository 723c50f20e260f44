package dev.qf2.learn;

import dev.qf2.Qf2Exception;

/**
 * How one fact is learned.
 *
 * @param rule the update rule
 * @param strength the rule's step: the learning rate of the published rule, the margin of the normalised one
 * @param wordSignificances one significance per answer word, or null for 1 each
 * @param tokenSignificances one significance per answer token (between the {@code assistant:} prefix and the
 *     final {@code .\n}), or null; when given it replaces the word significances
 */
public record LearnOptions(UpdateRule rule, double strength, double[] wordSignificances,
        double[] tokenSignificances) {

    /**
     * Checks the strength and the significances.
     *
     * @throws Qf2Exception if the strength is not a positive finite number, or a significance is not finite (the
     *     fact store could not read such a fact back)
     */
    public LearnOptions {
        if (!(strength > 0) || Double.isInfinite(strength)) {
            throw new Qf2Exception("the learning rate or margin (--lr) must be a positive number, got " + strength);
        }
        requireFinite(wordSignificances, "--significance");
        requireFinite(tokenSignificances, "--token-significance");
    }

    /** A rule with the given strength and default significances. */
    public static LearnOptions of(UpdateRule rule, double strength) {
        return new LearnOptions(rule, strength, null, null);
    }

    /** A rule with its default strength. */
    public static LearnOptions of(UpdateRule rule) {
        return of(rule, rule.defaultStrength());
    }

    /** The strength for {@code other}: this one's when it is this rule, else the other rule's default. */
    public double strengthFor(UpdateRule other) {
        return other == rule ? strength : other.defaultStrength();
    }

    /** The same options with word significances. */
    public LearnOptions withWordSignificances(double[] significances) {
        return new LearnOptions(rule, strength, significances, null);
    }

    /** The same options with per-token significances. */
    public LearnOptions withTokenSignificances(double[] significances) {
        return new LearnOptions(rule, strength, null, significances);
    }

    private static void requireFinite(double[] significances, String option) {
        if (significances == null) {
            return;
        }
        for (int i = 0; i < significances.length; i++) {
            if (!Double.isFinite(significances[i])) {
                throw new Qf2Exception("significance " + (i + 1) + " of " + option + " is " + significances[i]
                        + ": every significance must be a finite number");
            }
        }
    }
}
