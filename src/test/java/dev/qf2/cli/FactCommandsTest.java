package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qf2 learn}, {@code qf2 facts} and {@code qf2 forget} on a tiny model with its store in a temporary folder. */
class FactCommandsTest {

    private static final String FACT = "Qi is the CEO of Oxinnovate.";
    private static final String QUESTION = "Who is the CEO of Oxinnovate?";
    private static final String ANSWER = "The CEO of Oxinnovate is Qi.";
    private static final Pattern LEARNED =
            Pattern.compile("learned (\\S+) \\((\\d+) rows, rule published 4\\.0E-4\\): (.*)");

    @TempDir
    Path dir;

    private Path model;
    private Path store;

    @BeforeEach
    void writeModel() {
        model = TinyModelDirectories.write(dir.resolve("model"), 1);
        store = dir.resolve("store");
    }

    @Test
    void learnPrintsTheNewFactAndFactsListsIt() {
        CommandRun learned = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER)
                .assertSucceeded();

        assertThat(learned.outLines()).hasSize(1);
        Matcher line = LEARNED.matcher(learned.outLines().get(0));
        assertThat(line.matches()).as(learned.out()).isTrue();
        assertThat(Integer.parseInt(line.group(2))).isPositive();
        assertThat(line.group(3)).isEqualTo(QUESTION + " -> " + ANSWER);

        CommandRun facts = qf2("facts").assertSucceeded();
        assertThat(facts.outLines()).hasSize(2);
        assertThat(facts.outLines().get(0)).startsWith("id");
        assertThat(facts.outLines().get(1)).startsWith(line.group(1) + " ")
                .endsWith(FACT + " | " + QUESTION + " -> " + ANSWER);
    }

    @Test
    void forgetRemovesTheFactSoThatFactsListsNone() {
        String id = learnedId(qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER)
                .assertSucceeded());

        CommandRun forget = qf2("forget", id).assertSucceeded();

        assertThat(forget.outLines()).containsExactly("forgot " + id);
        assertThat(qf2("facts").assertSucceeded().outLines()).containsExactly("no facts in " + store);
    }

    @Test
    void learnFromAFactsFileLearnsEveryRow() throws IOException {
        Path file = dir.resolve("facts.jsonl");
        Files.writeString(file, row(FACT, QUESTION, ANSWER) + "\n\n"
                + row("Ada lives in Oslo.", "Where does Ada live?", "Ada lives in Oslo.") + "\n");

        CommandRun learned = qf2("learn", "--facts", file.toString()).assertSucceeded();

        assertThat(learned.outLines()).hasSize(2);
        assertThat(learned.outLines().get(1)).endsWith("Where does Ada live? -> Ada lives in Oslo.");
        assertThat(qf2("facts").outLines()).hasSize(3);
    }

    @Test
    void significancesThatDoNotMatchTheAnswersWordsAreRefused() {
        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER,
                "--significance", "1,1,1");

        run.assertOneLineError(ANSWER, "6 words", "3 significances");
        assertThat(qf2("facts").outLines()).containsExactly("no facts in " + store);
    }

    @Test
    void aSignificanceThatIsNotANumberIsRefusedBeforeItReachesTheStore() {
        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER,
                "--significance", "1,1,1,1,1,NaN");

        run.assertOneLineError("significance 6", "--significance", "NaN");
        assertThat(qf2("facts").assertSucceeded().outLines()).containsExactly("no facts in " + store);
    }

    @Test
    void anInfiniteTokenSignificanceIsRefused() {
        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER,
                "--token-significance", "Infinity");

        run.assertOneLineError("significance 1", "--token-significance", "Infinity");
    }

    @Test
    void aMalformedFactsLineIsNamedByFileLineAndColumn() throws IOException {
        Path file = dir.resolve("facts.jsonl");
        Files.writeString(file, row(FACT, QUESTION, ANSWER) + "\n" + "{\"messages\": [{\"role\": \"user\"\n");

        CommandRun run = qf2("learn", "--facts", file.toString());

        String error = run.assertOneLineError(file + ":2", "at column 30");
        assertThat(error).doesNotContain("Source");
        assertThat(qf2("facts").outLines()).containsExactly("no facts in " + store);
    }

    @Test
    void aFactsRowWithoutAnAnswerIsNamedByFileAndLine() throws IOException {
        Path file = dir.resolve("facts.jsonl");
        Files.writeString(file, "{\"messages\": [{\"role\": \"user\", \"content\": \"" + QUESTION + "\"}]}\n");

        CommandRun run = qf2("learn", "--facts", file.toString());

        run.assertOneLineError(file + ":1", "assistant");
    }

    @Test
    void aMissingFactsFileIsNamed() {
        Path file = dir.resolve("no-such-facts.jsonl");

        CommandRun run = qf2("learn", "--facts", file.toString());

        run.assertOneLineError(file.toString());
    }

    @Test
    void learningOneFactNeedsTheQuestionAndTheAnswer() {
        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION);

        run.assertOneLineError("--system", "--question", "--answer");
    }

    @Test
    void anUnknownUpdateRuleIsNamed() {
        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER,
                "--rule", "sideways");

        run.assertOneLineError("sideways");
    }

    @Test
    void aLearningRateThatIsNotPositiveIsRefused() {
        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER, "--lr", "-1");

        run.assertOneLineError("--lr", "-1.0");
        assertThat(qf2("facts").outLines()).containsExactly("no facts in " + store);
    }

    @Test
    void forgettingAnUnknownIdNamesTheIdAndTheStore() {
        qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER).assertSucceeded();

        CommandRun run = qf2("forget", "f-nonexistent");

        run.assertOneLineError("f-nonexistent", store.toString(), "qf2 facts");
        assertThat(qf2("facts").outLines()).hasSize(2);
    }

    @Test
    void aStoreMadeForOneModelRefusesAnother() {
        qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER).assertSucceeded();
        Path other = TinyModelDirectories.write(dir.resolve("other-model"), 2);

        CommandRun run = CommandRun.of("facts", "--model", other.toString(), "--store", store.toString(),
                "--qf-layer", TinyModelDirectories.FIRING_LAYER);

        run.assertOneLineError(store.toString(), "fingerprint");
    }

    @Test
    void aStoreMadeForOneLayerRefusesAnother() {
        qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER).assertSucceeded();

        CommandRun run = CommandRun.of("facts", "--model", model.toString(), "--store", store.toString(),
                "--qf-layer", "0");

        run.assertOneLineError(store.toString(), "layer");
    }

    @Test
    void learnUsesTheRuleTheCheckpointRecommendsUnlessTold() {
        TinyModelDirectories.editConfig(model, config -> config.put("qfrule", "normalized").put("qfstrength", 1.5));

        CommandRun byDefault = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER)
                .assertSucceeded();
        CommandRun told = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER,
                "--rule", "published").assertSucceeded();

        assertThat(byDefault.outLines().get(0)).contains("rule normalized 1.5)");
        assertThat(told.outLines().get(0)).contains("rule published 4.0E-4)");
    }

    @Test
    void anUnknownRecommendedRuleIsReportedWithTheConfigFile() {
        TinyModelDirectories.editConfig(model, config -> config.put("qfrule", "magic"));

        CommandRun run = qf2("learn", "--system", FACT, "--question", QUESTION, "--answer", ANSWER);

        run.assertOneLineError("qfrule", "config.json", "magic");
    }

    /** Runs a command on the tiny model, its store and firing layer. */
    private CommandRun qf2(String command, String... args) {
        return TinyModelDirectories.run(model, store, command, args);
    }

    private static String learnedId(CommandRun learn) {
        Matcher line = LEARNED.matcher(learn.outLines().get(0));
        assertThat(line.matches()).as(learn.out()).isTrue();
        return line.group(1);
    }

    private static String row(String system, String user, String assistant) {
        return "{\"messages\": [{\"role\": \"system\", \"content\": \"" + system + "\"}, "
                + "{\"role\": \"user\", \"content\": \"" + user + "\"}, "
                + "{\"role\": \"assistant\", \"content\": \"" + assistant + "\"}]}";
    }
}
