package dev.qf2.text;

import java.util.List;

/**
 * The plain-text prompt format of the reference QF2 code: no chat template and no special tokens, each message
 * written as {@code role + ": " + content + "\n"}, system first, then user. The model continues with
 * {@code assistant: ...}.
 *
 * <pre>
 * system: Qi is the CEO of Oxinnovate.
 * user: Who is the CEO of Oxinnovate?
 * </pre>
 */
public final class PlainPrompt {

    private static final String ANSWER_PREFIX = Message.ASSISTANT + ":";

    private PlainPrompt() {}

    /**
     * Renders the prompt of a question.
     *
     * @param system the system line, such as a fact; null or empty keeps an empty {@code "system: \n"} line
     * @param user the question
     * @return {@code "system: <system>\nuser: <user>\n"}
     */
    public static String render(String system, String user) {
        return render(List.of(Message.system(system), Message.user(user)));
    }

    /**
     * Renders a training row: every message, the assistant's answer included, as
     * {@code "system: ...\nuser: ...\nassistant: ...\n"}.
     *
     * @param messages the messages in order
     * @return the rendered text
     */
    public static String renderTrainingRow(List<Message> messages) {
        return render(messages);
    }

    private static String render(List<Message> messages) {
        StringBuilder text = new StringBuilder();
        for (Message message : messages) {
            text.append(message.role()).append(": ").append(message.content()).append('\n');
        }
        return text.toString();
    }

    /**
     * Extracts the answer from the text generated after the prompt, as the reference prints it: the first
     * line that is not blank, trimmed, with a leading {@code assistant:} (any case) removed and the rest
     * trimmed. A first line that holds only {@code assistant:} gives the empty answer.
     *
     * @param continuation the decoded text that follows the prompt
     * @return the answer, or the empty string if every line is blank
     */
    public static String extractAnswer(String continuation) {
        for (String line : continuation.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.regionMatches(true, 0, ANSWER_PREFIX, 0, ANSWER_PREFIX.length())) {
                return trimmed.substring(ANSWER_PREFIX.length()).strip();
            }
            if (!trimmed.isEmpty()) {
                return trimmed;
            }
        }
        return "";
    }
}
