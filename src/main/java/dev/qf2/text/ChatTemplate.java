package dev.qf2.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A checkpoint's Jinja chat template (the {@code chat_template} of its {@code tokenizer_config.json}), rendered
 * with Jinjava the way Hugging Face transformers renders it: blocks trimmed and left-stripped, the variables
 * {@code messages} (maps with {@code role} and {@code content}), {@code add_generation_prompt},
 * {@code bos_token} and {@code eos_token}, no {@code tools}, and a {@code raise_exception(message)} function
 * that aborts rendering.
 */
public final class ChatTemplate {

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    private ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        // Jinja2 semantics that Jinjava keeps behind switches: "{{-" trims like "{%-", and Python precedence.
        LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true)
                .withUseNaturalOperatorPrecedence(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(jinja2)
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", TemplateRaise.class, "raise", String.class));
    }

    /**
     * A template without special-token variables.
     *
     * @param template the Jinja source
     * @return the template
     */
    public static ChatTemplate of(String template) {
        return new ChatTemplate(template, null, null);
    }

    /**
     * A template with the special-token variables {@code bos_token} and {@code eos_token}.
     *
     * @param template the Jinja source
     * @param bosToken the text of the beginning-of-sequence token, or null if the checkpoint has none
     * @param eosToken the text of the end-of-sequence token, or null if the checkpoint has none
     * @return the template
     */
    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        return new ChatTemplate(template, bosToken, eosToken);
    }

    /**
     * Reads the template and its special tokens from a {@code tokenizer_config.json}.
     *
     * @param tokenizerConfig the file
     * @return the template
     * @throws Qf2Exception if the file cannot be read or has no {@code chat_template}
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfig) {
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(tokenizerConfig.toFile());
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + tokenizerConfig + ": " + e.getMessage()
                    + "; point to the checkpoint's tokenizer_config.json", e);
        }
        JsonNode template = config.get("chat_template");
        if (template == null || !template.isTextual()) {
            throw new Qf2Exception(tokenizerConfig + " has no chat_template; use the plain prompt format instead");
        }
        return new ChatTemplate(template.asText(), tokenText(config.get("bos_token")),
                tokenText(config.get("eos_token")));
    }

    /** A special token in tokenizer_config.json is either its text or an object with its {@code content}. */
    private static String tokenText(JsonNode token) {
        if (token == null || token.isNull()) {
            return null;
        }
        if (token.isObject()) {
            JsonNode content = token.get("content");
            return content == null || content.isNull() ? null : content.asText();
        }
        return token.asText();
    }

    /**
     * Renders a conversation followed by the opening of the assistant's turn.
     *
     * @param messages the conversation
     * @return the prompt text, special-token strings included
     */
    public String render(List<Message> messages) {
        return render(messages, true);
    }

    /**
     * Renders a conversation.
     *
     * @param messages the conversation
     * @param addGenerationPrompt whether to open the assistant's turn at the end
     * @return the rendered text, special-token strings included
     * @throws Qf2Exception if the template raises an exception or cannot be rendered
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> messageMaps = new ArrayList<>();
        for (Message message : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", message.role());
            map.put("content", message.content());
            messageMaps.add(map);
        }
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", messageMaps);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            bindings.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            bindings.put("eos_token", eosToken);
        }

        RenderResult result = jinjava.renderForResult(template, bindings);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new Qf2Exception("the chat template failed: " + describe(error));
            }
        }
        return result.getOutput();
    }

    private static String describe(TemplateError error) {
        for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
            if (cause instanceof TemplateRaise.Raised raised) {
                return raised.getMessage();
            }
        }
        String message = error.getMessage() == null ? String.valueOf(error.getReason()) : error.getMessage();
        return message.replace('\n', ' ') + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
    }
}
