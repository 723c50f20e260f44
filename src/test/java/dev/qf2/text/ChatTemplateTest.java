package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    /** A ChatML template in the style of Qwen2.5-Instruct: a default system message, a tools branch, turns. */
    private static final String QWEN_STYLE = String.join("\n",
            "{%- if tools %}",
            "    {{- '<|im_start|>system\\n' }}",
            "    {%- if messages[0]['role'] == 'system' %}",
            "        {{- messages[0]['content'] }}",
            "    {%- else %}",
            "        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}",
            "    {%- endif %}",
            "    {{- \"\\n\\n# Tools\\n\\n<tools>\" }}",
            "    {%- for tool in tools %}",
            "        {{- \"\\n\" }}",
            "        {{- tool | tojson }}",
            "    {%- endfor %}",
            "    {{- \"\\n</tools><|im_end|>\\n\" }}",
            "{%- else %}",
            "    {%- if messages[0]['role'] == 'system' %}",
            "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
            "    {%- else %}",
            "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                    + "<|im_end|>\\n' }}",
            "    {%- endif %}",
            "{%- endif %}",
            "{%- for message in messages %}",
            "    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first)"
                    + " or (message.role == \"assistant\" and not message.tool_calls) %}",
            "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}",
            "    {%- elif message.role == \"tool\" %}",
            "        {{- '<|im_start|>user\\n<tool_response>\\n' + message.content"
                    + " + '\\n</tool_response><|im_end|>\\n' }}",
            "    {%- endif %}",
            "{%- endfor %}",
            "{%- if add_generation_prompt %}",
            "    {{- '<|im_start|>assistant\\n' }}",
            "{%- endif %}",
            "");

    @Test
    void rendersSystemAndUserTurnsAndOpensTheAssistantTurn() {
        String prompt = ChatTemplate.of(QWEN_STYLE).render(List.of(
                Message.system("Qi is the CEO of Oxinnovate."), Message.user("Who is the CEO of Oxinnovate?")));

        assertThat(prompt).isEqualTo("<|im_start|>system\nQi is the CEO of Oxinnovate.<|im_end|>\n"
                + "<|im_start|>user\nWho is the CEO of Oxinnovate?<|im_end|>\n"
                + "<|im_start|>assistant\n");
    }

    @Test
    void addsTheDefaultSystemMessageWhenTheConversationHasNone() {
        String prompt = ChatTemplate.of(QWEN_STYLE).render(List.of(Message.user("Hi")));

        assertThat(prompt).isEqualTo("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. "
                + "You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void rendersPastAssistantTurnsWithoutAGenerationPrompt() {
        String text = ChatTemplate.of(QWEN_STYLE).render(List.of(
                Message.system("s"), Message.user("q"), Message.assistant("a")), false);

        assertThat(text).isEqualTo("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nq<|im_end|>\n"
                + "<|im_start|>assistant\na<|im_end|>\n");
    }

    @Test
    void encodesTheRenderedTurnMarkersAsSpecialTokens() {
        String prompt = ChatTemplate.of(QWEN_STYLE).render(List.of(Message.system("s"), Message.user("Hi")));

        // <|im_start|> system \n s <|im_end|> \n <|im_start|> user \n Hi <|im_end|> \n <|im_start|> assistant \n
        assertThat(GoldenFiles.tokenizer().encode(prompt)).containsExactly(
                151644, 8948, 198, 82, 151645, 198,
                151644, 872, 198, 13048, 151645, 198,
                151644, 77091, 198);
    }

    @Test
    void exposesTheSpecialTokenVariables() {
        ChatTemplate template = ChatTemplate.of("{{ bos_token }}|{{ eos_token }}", "<s>", "<|im_end|>");

        assertThat(template.render(List.of(Message.user("x")))).isEqualTo("<s>|<|im_end|>");
    }

    @Test
    void raiseExceptionAbortsWithTheTemplatesMessage() {
        ChatTemplate template = ChatTemplate.of("{%- if messages[0].role == 'assistant' %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant') }}{%- endif %}ok");

        assertThat(template.render(List.of(Message.user("x")))).isEqualTo("ok");
        assertThatThrownBy(() -> template.render(List.of(Message.assistant("x"))))
                .isInstanceOf(Qf2Exception.class)
                .hasMessage("the chat template failed: Conversation roles must alternate user/assistant");
    }

    @Test
    void readsTheTemplateAndTokensFromTokenizerConfig(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": "
                + "\"{{ eos_token }}{% for m in messages %}{{ m.content }}{% endfor %}\", "
                + "\"eos_token\": {\"content\": \"<|im_end|>\"}, \"bos_token\": null}");

        assertThat(ChatTemplate.fromTokenizerConfig(config).render(List.of(Message.user("hi"))))
                .isEqualTo("<|im_end|>hi");
    }

    @Test
    void reportsATokenizerConfigWithoutTemplate(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");

        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(config))
                .isInstanceOf(Qf2Exception.class)
                .hasMessage(config + " has no chat_template; use the plain prompt format instead");
    }
}
