package dev.qf2.train;

import dev.qf2.Qf2Exception;
import java.util.Locale;

/** Which next-token targets of a training row the loss counts. */
public enum LossScope {

    /** Every token after the first, prompt included, as the reference trains. */
    ALL,

    /** Only the tokens of the answer part, from {@code assistant} to the final line break. */
    ANSWER;

    /** Parses {@code all} or {@code answer}. */
    public static LossScope parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "all" -> ALL;
            case "answer" -> ANSWER;
            default -> throw new Qf2Exception("unknown loss scope '" + text + "': use all or answer");
        };
    }

    /** The name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
