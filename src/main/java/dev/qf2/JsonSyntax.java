package dev.qf2;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * Jackson's parse errors as one readable clause for an error message: what the parser expected and where, without
 * the location lines and source notes Jackson appends for its own log.
 */
public final class JsonSyntax {

    /** Jackson's note of where an unclosed object or array began, which names the source rather than the file. */
    private static final Pattern START_MARKER = Pattern.compile("\\s*\\(start marker at \\[.*?\\]\\)");

    private JsonSyntax() {}

    /**
     * Describes a parse error of a whole file.
     *
     * @return e.g. {@code "Unexpected end-of-input: expected close marker for Object at line 3, column 1"}
     */
    public static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 1) {
            return message(e);
        }
        return message(e) + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * Describes a parse error of one line of a file, such as a JSONL row, whose line number the caller gives.
     *
     * @return e.g. {@code "Unexpected end-of-input: expected close marker for Object at column 31"}
     */
    public static String describeInLine(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        if (at == null || at.getColumnNr() < 1) {
            return message(e);
        }
        return message(e) + " at column " + at.getColumnNr();
    }

    private static String message(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        String firstLine = original.lines().findFirst().orElse("").strip();
        return START_MARKER.matcher(firstLine).replaceAll("");
    }
}
