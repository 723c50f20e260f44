package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qf2 chat} answering one question with a tiny random model. */
class ChatCommandTest {

    private static final String QUESTION = "Who is the CEO of Oxinnovate?";

    @TempDir
    Path dir;

    @Test
    void jsonReportHoldsThePlainPromptItsIdsAndTheGeneratedAnswer() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path json = dir.resolve("out.json");

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "3",
                "--json", json.toString(), QUESTION).assertSucceeded();

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        String prompt = "system: \nuser: " + QUESTION + "\n";
        assertThat(report.get("prompt").textValue()).isEqualTo(prompt);
        int[] generated = ints(report.get("generated_ids"));
        assertThat(generated.length).isBetween(1, 3);
        for (int id : generated) {
            assertThat(id).isBetween(0, 299);
        }
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            assertThat(ints(report.get("prompt_ids"))).containsExactly(tokenizer.encode(prompt));
            assertThat(report.get("text").textValue())
                    .isEqualTo(PlainPrompt.extractAnswer(tokenizer.decode(generated)));
        }
        assertThat(run.outLines()).hasSize(1);
    }

    @Test
    void anAnswerLongerThanTheModelsPositionsStopsThereWithANote() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path json = dir.resolve("out.json");

        // a stop id beyond the vocabulary never comes, so only the model's 256 positions end the answer
        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "400",
                "--stop-ids", "100000", "--json", json.toString(), QUESTION);

        assertThat(run.exitCode()).as(run.err()).isZero();

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("prompt_ids").size() + report.get("generated_ids").size()).isEqualTo(256);
        assertThat(run.err()).contains("stops at the model's 256 positions");
    }

    @Test
    void theSameQuestionGetsTheSameGreedyAnswer() {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);

        CommandRun first = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "4", QUESTION);
        CommandRun second = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "4", QUESTION);

        first.assertSucceeded();
        assertThat(second.out()).isEqualTo(first.out());
    }

    @Test
    void aJsonReportPathThatIsADirectoryIsRefusedAndLeavesNothingBehind() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path reports = Files.createDirectory(dir.resolve("reports"));

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "2",
                "--json", reports.toString(), QUESTION);

        run.assertOneLineError(reports.toString(), "directory");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactlyInAnyOrder(model, reports);
        }
    }

    private static int[] ints(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        List<Integer> values = new ArrayList<>();
        array.forEach(node -> values.add(node.intValue()));
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
