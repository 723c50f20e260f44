package dev.qf2.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.JsonSyntax;
import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of the reference's messages format: a system line (the fact, possibly empty), a user question and
 * the assistant's answer. A file of them has one JSON object per line:
 * {@code {"messages": [{"role": "system", "content": …}, {"role": "user", …}, {"role": "assistant", …}]}}.
 *
 * @param system the system message's content, empty when the row has none
 * @param user the user message's content
 * @param assistant the assistant message's content
 */
public record Exchange(String system, String user, String assistant) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The row as messages, the system message left out when empty. */
    public List<Message> messages() {
        List<Message> messages = new ArrayList<>();
        if (!system.isEmpty()) {
            messages.add(Message.system(system));
        }
        messages.add(new Message(Message.USER, user));
        messages.add(new Message(Message.ASSISTANT, assistant));
        return messages;
    }

    /**
     * Reads a messages JSONL file; blank lines are skipped.
     *
     * @throws Qf2Exception naming the file and line of the first row that is not a system/user/assistant exchange
     */
    public static List<Exchange> readJsonl(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new Qf2Exception("no such file " + file + ": check the path", e);
        } catch (MalformedInputException e) {
            throw new Qf2Exception(file + " is not UTF-8 text: save it as UTF-8 JSONL", e);
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + file + " (" + e.getMessage() + "): check its permissions", e);
        }
        List<Exchange> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(parse(lines.get(i), file + ":" + (i + 1)));
            }
        }
        return rows;
    }

    /** Parses one JSONL row; {@code where} names it in errors. */
    public static Exchange parse(String line, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new Qf2Exception(where + ": not a JSON object (" + JsonSyntax.describeInLine(e)
                    + "): write one {\"messages\": [...]} object per line");
        }
        JsonNode messages = root == null ? null : root.get("messages");
        if (messages == null || !messages.isArray()) {
            throw new Qf2Exception(where + ": no \"messages\" list: write one {\"messages\": [...]} object per line");
        }
        String system = "";
        String user = null;
        String assistant = null;
        for (JsonNode message : messages) {
            String role = message.path("role").asText("");
            JsonNode content = message.get("content");
            if (content == null || !(content.isTextual() || content.isNull())) {
                throw new Qf2Exception(where + ": a \"" + role + "\" message has no text \"content\": fix the row");
            }
            String text = content.isNull() ? "" : content.textValue();
            switch (role) {
                case Message.SYSTEM -> system = text;
                case Message.USER -> user = text;
                case Message.ASSISTANT -> assistant = text;
                default -> throw new Qf2Exception(where + ": unknown role \"" + role
                        + "\": use system, user and assistant");
            }
        }
        if (user == null || assistant == null) {
            throw new Qf2Exception(where + ": a row needs a user and an assistant message: fix the row");
        }
        return new Exchange(system, user, assistant);
    }
}
