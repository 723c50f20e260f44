package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlainPromptTest {

    @Test
    void rendersSystemThenUserOneLineEach() {
        assertThat(PlainPrompt.render("Qi is the CEO of Oxinnovate.", "Who is the CEO of Oxinnovate?"))
                .isEqualTo("system: Qi is the CEO of Oxinnovate.\nuser: Who is the CEO of Oxinnovate?\n");
    }

    @Test
    void keepsAnEmptySystemLine() {
        assertThat(PlainPrompt.render("", "Who is the CEO of Nvidia?"))
                .isEqualTo("system: \nuser: Who is the CEO of Nvidia?\n");
        assertThat(PlainPrompt.render(null, "Who is the CEO of Nvidia?"))
                .isEqualTo("system: \nuser: Who is the CEO of Nvidia?\n");
    }

    @Test
    void rendersTrainingRowsWithTheAnswer() {
        List<Message> row = List.of(
                Message.system("Orbinex was acquired by Datashield in 2023."),
                Message.user("Who acquired Orbinex?"),
                Message.assistant("Orbinex was acquired by Datashield in 2023."));

        assertThat(PlainPrompt.renderTrainingRow(row)).isEqualTo("system: Orbinex was acquired by Datashield in 2023.\n"
                + "user: Who acquired Orbinex?\nassistant: Orbinex was acquired by Datashield in 2023.\n");
    }

    @Test
    void encodesEveryProtocolCallPromptToTheGoldenIds() {
        JsonNode calls = GoldenFiles.json().at("/protocol/calls");
        assertThat(calls.size()).isEqualTo(12);
        for (JsonNode call : calls) {
            JsonNode messages = call.get("messages");
            String prompt = PlainPrompt.render(messages.get(0).get("content").asText(),
                    messages.get(1).get("content").asText());

            assertThat(prompt).isEqualTo(call.get("prompt_text").asText());
            assertThat(GoldenFiles.tokenizer().encode(prompt)).as("call %s", call.get("label").asText())
                    .containsExactly(GoldenFiles.ints(call.get("prompt_ids")));
        }
    }

    @Test
    void encodesTheGoldenPromptsToTheirIds() {
        JsonNode prompts = GoldenFiles.json().get("prompts");
        for (String name : List.of("p0", "p1", "p2")) {
            JsonNode prompt = prompts.get(name);
            List<Message> messages = new ArrayList<>();
            for (JsonNode message : prompt.get("messages")) {
                messages.add(new Message(message.get("role").asText(), message.get("content").asText()));
            }
            String text = PlainPrompt.renderTrainingRow(messages);

            assertThat(text).isEqualTo(prompt.get("text").asText());
            assertThat(GoldenFiles.tokenizer().encode(text)).as("prompt %s", name)
                    .containsExactly(GoldenFiles.ints(prompt.get("input_ids")));
        }
    }

    @Test
    void extractsTheFirstNonBlankLineWithoutTheAssistantPrefix() {
        assertThat(PlainPrompt.extractAnswer("\n  assistant: The CEO of Oxinnovate is Qi.\nuser: more"))
                .isEqualTo("The CEO of Oxinnovate is Qi.");
    }

    @Test
    void extractsALineWithoutPrefixAsItIs() {
        assertThat(PlainPrompt.extractAnswer(" Qi.\nassistant: other")).isEqualTo("Qi.");
    }

    @Test
    void matchesTheAssistantPrefixInAnyCase() {
        assertThat(PlainPrompt.extractAnswer("Assistant:  the one '")).isEqualTo("the one '");
    }

    @Test
    void extractsNothingFromBlankText() {
        assertThat(PlainPrompt.extractAnswer(" \n\n")).isEmpty();
    }
}
