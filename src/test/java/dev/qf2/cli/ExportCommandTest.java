package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.store.FactStore;
import dev.qf2.store.Factors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qf2 export}: a checkpoint with the learned facts baked into the firing block's up_proj. */
class ExportCommandTest {

    private static final String QUESTION = "Who is the CEO of Oxinnovate?";
    private static final int LAYER = Integer.parseInt(TinyModelDirectories.FIRING_LAYER);
    private static final String UP_PROJ = "model.layers." + LAYER + ".mlp.up_proj.weight";
    private static final int INTERMEDIATE = 64;
    private static final int HIDDEN = 32;

    @TempDir
    Path dir;

    private Path model;
    private Path store;
    private Path exported;

    @BeforeEach
    void learnAFactAndExport() {
        model = TinyModelDirectories.write(dir.resolve("model"), 1);
        store = dir.resolve("store");
        exported = dir.resolve("exported");
        qf2("learn", "--system", "Qi is the CEO of Oxinnovate.", "--question", QUESTION,
                "--answer", "The CEO of Oxinnovate is Qi.").assertSucceeded();

        CommandRun export = qf2("export", "--out", exported.toString()).assertSucceeded();

        assertThat(export.outLines()).containsExactly("wrote " + exported + " with 1 learned facts in layer " + LAYER
                + " (beta 10.0)");
    }

    @Test
    void upProjOfTheFiringLayerIsTheBasePlusTheLearnedUpdate() {
        float[] base = floats(model, UP_PROJ);
        Factors factors;
        try (FactStore facts = FactStore.openOrCreate(store, FactStore.fingerprint(base, LAYER), LAYER, INTERMEDIATE,
                HIDDEN)) {
            factors = facts.factors(facts.facts().get(0).id());
        }

        float[] written = floats(exported, UP_PROJ);

        double largestChange = 0;
        for (int i = 0; i < INTERMEDIATE; i++) {
            for (int c = 0; c < HIDDEN; c++) {
                double expected = base[i * HIDDEN + c];
                for (int t = 0; t < factors.rows(); t++) {
                    expected += (double) factors.a()[t * INTERMEDIATE + i] * factors.b()[t * HIDDEN + c];
                }
                assertThat(written[i * HIDDEN + c]).as("up_proj[%d, %d]", i, c).isEqualTo((float) expected);
                largestChange = Math.max(largestChange, Math.abs(written[i * HIDDEN + c] - base[i * HIDDEN + c]));
            }
        }
        assertThat(largestChange).isGreaterThan(1e-6);
    }

    @Test
    void everyOtherTensorIsTheBases() {
        try (SafeTensorsFile original = SafeTensorsFile.open(model.resolve("model.safetensors"));
                SafeTensorsFile written = SafeTensorsFile.open(exported.resolve("model.safetensors"))) {
            assertThat(written.tensors().keySet()).containsExactlyInAnyOrderElementsOf(original.tensors().keySet());
            for (String name : original.tensors().keySet()) {
                if (!name.equals(UP_PROJ)) {
                    assertThat(written.readFloats(name)).as(name).containsExactly(original.readFloats(name));
                }
            }
        }
    }

    @Test
    void configRecordsTheFiringBlockAndKeepsTheTokenizer() throws IOException {
        JsonNode config = new ObjectMapper().readTree(exported.resolve("config.json").toFile());

        assertThat(config.get("qflayer").intValue()).isEqualTo(LAYER);
        assertThat(config.get("qfbeta").doubleValue()).isEqualTo(10.0);
        assertThat(exported.resolve("tokenizer.json")).hasSameBinaryContentAs(model.resolve("tokenizer.json"));
    }

    @Test
    void theExportedCheckpointAnswersAsTheModelWithItsStore() {
        CommandRun withStore = qf2("chat", "--max-new-tokens", "5", QUESTION).assertSucceeded();

        CommandRun fromExport = CommandRun.of("chat", "--model", exported.toString(),
                "--store", dir.resolve("empty-store").toString(), "--max-new-tokens", "5", QUESTION).assertSucceeded();

        assertThat(fromExport.out()).isEqualTo(withStore.out());
    }

    @Test
    void exportingOverAnExistingDirectoryIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("taken"));

        CommandRun run = qf2("export", "--out", dir.resolve("taken").toString());

        run.assertOneLineError(dir.resolve("taken").toString(), "--out");
    }

    @Test
    void missingParentsOfTheOutputDirectoryAreCreated() {
        Path nested = dir.resolve("exports").resolve("today").resolve("model");

        qf2("export", "--out", nested.toString()).assertSucceeded();

        assertThat(nested.resolve("model.safetensors")).hasSameBinaryContentAs(exported.resolve("model.safetensors"));
    }

    @Test
    void anOutputDirectoryUnderAFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "not a directory");
        Path under = file.resolve("model");

        CommandRun run = qf2("export", "--out", under.toString());

        run.assertOneLineError("--out " + under, file.toString());
    }

    /** Runs a command on the tiny model, its store and firing layer. */
    private CommandRun qf2(String command, String... args) {
        return TinyModelDirectories.run(model, store, command, args);
    }

    private static float[] floats(Path modelDir, String tensor) {
        try (SafeTensorsFile weights = SafeTensorsFile.open(modelDir.resolve("model.safetensors"))) {
            return weights.readFloats(tensor);
        }
    }
}
