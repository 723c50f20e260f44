package dev.qf2.text;

import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role who speaks: {@code system}, {@code user} or {@code assistant}
 * @param content what is said; never null (a null content is stored as the empty string)
 */
public record Message(String role, String content) {

    /** The role of the instructions that precede the conversation. */
    public static final String SYSTEM = "system";

    /** The role of the person asking. */
    public static final String USER = "user";

    /** The role of the model answering. */
    public static final String ASSISTANT = "assistant";

    /** Requires a role and replaces a null content by the empty string. */
    public Message {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
    }

    /** A system message. */
    public static Message system(String content) {
        return new Message(SYSTEM, content);
    }

    /** A user message. */
    public static Message user(String content) {
        return new Message(USER, content);
    }

    /** An assistant message. */
    public static Message assistant(String content) {
        return new Message(ASSISTANT, content);
    }
}
