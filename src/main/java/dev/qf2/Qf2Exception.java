package dev.qf2;

/**
 * A failure the user can act on: bad input, a missing or malformed file, a mismatched store.
 *
 * <p>The message is one line that says what went wrong, where, and what to do about it. The command
 * line prints it without a stack trace and exits with {@link #EXIT_CODE}.
 */
public class Qf2Exception extends RuntimeException {

    /** The process exit code used for every user-facing error. */
    public static final int EXIT_CODE = 2;

    /** Creates an error with a one-line message. */
    public Qf2Exception(String message) {
        super(message);
    }

    /** Creates an error with a one-line message and the low-level cause (kept for debugging). */
    public Qf2Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
