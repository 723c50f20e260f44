package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command lines that picocli rejects before any command runs: one line naming the option, exit code 2. */
class OptionErrorsTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownOptionIsNamedWithTheCommandsHelp() {
        CommandRun run = CommandRun.of("chat", "--modle", dir.toString(), "Who?");

        run.assertOneLineError("--modle", "qf2 chat --help");
    }

    @Test
    void anUnknownCommandIsNamedWithTheTopLevelHelp() {
        CommandRun run = CommandRun.of("frobnicate");

        run.assertOneLineError("'frobnicate'", "(see 'qf2 --help')");
    }

    @Test
    void aMissingRequiredOptionIsNamed() {
        CommandRun run = CommandRun.of("export", "--model", dir.toString());

        run.assertOneLineError("--out", "qf2 export --help");
    }

    @Test
    void aMissingRequiredParameterIsNamed() {
        CommandRun run = CommandRun.of("forget", "--model", dir.toString());

        run.assertOneLineError("ID", "qf2 forget --help");
    }

    @Test
    void anOptionValueOfTheWrongTypeIsNamed() {
        CommandRun run = CommandRun.of("chat", "--model", dir.toString(), "--max-new-tokens", "three", "Who?");

        run.assertOneLineError("--max-new-tokens", "three");
    }

    @Test
    void aNumberOutOfRangeIsNamed() {
        CommandRun run = CommandRun.of("chat", "--model", dir.toString(), "--max-new-tokens", "0", "Who?");

        run.assertOneLineError("--max-new-tokens", "0");
    }

    @Test
    void anUnknownFormatIsNamed() {
        CommandRun run = CommandRun.of("chat", "--model", dir.toString(), "--format", "markdown", "Who?");

        run.assertOneLineError("--format", "markdown");
    }

    @Test
    void helpPrintsTheCommandsUsageAndSucceeds() {
        CommandRun run = CommandRun.of("chat", "--help");

        run.assertSucceeded();
        assertThat(run.out()).contains("Usage: qf2 chat").contains("--max-new-tokens");
    }

    @Test
    void anUnknownCorpusRowKindIsNamedWithTheKindsThereAre() {
        CommandRun run = CommandRun.of("corpus", "--out", dir.resolve("rows.jsonl").toString(), "--only", "trivia");

        run.assertOneLineError("'trivia'", "unknown, irrelevant");
    }

    @Test
    void corpusOnlyWritesRowsOfThatKind() throws Exception {
        Path out = dir.resolve("anchors.jsonl");
        CommandRun run = CommandRun.of("corpus", "--out", out.toString(), "--only", "unknown", "--rows", "5");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(java.nio.file.Files.readAllLines(out)).hasSize(5)
                .allSatisfy(line -> assertThat(line).contains("\"kind\":\"unknown\"")
                        .contains("Need more information."));
    }

    @Test
    void aBenchmarkPromptLongerThanTheModelAllowsIsNamed() {
        CommandRun run = CommandRun.of("bench", "--shape", "tiny", "--cache", dir.toString(), "--prompt-tokens", "300");

        run.assertOneLineError("--prompt-tokens 300", "256 positions");
    }
}
