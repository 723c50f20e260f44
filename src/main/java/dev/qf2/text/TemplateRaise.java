package dev.qf2.text;

/** The {@code raise_exception(message)} function that Hugging Face chat templates call to reject input. */
final class TemplateRaise {

    private TemplateRaise() {}

    /** Aborts rendering with the template's message. */
    public static String raise(String message) {
        throw new Raised(message);
    }

    /** The exception that carries a template's message out of Jinjava. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }
}
