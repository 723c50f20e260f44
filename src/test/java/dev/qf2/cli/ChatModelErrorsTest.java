package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.qf2.bench.ByteTokenizer;
import dev.qf2.checkpoint.DType;
import dev.qf2.checkpoint.RandomCheckpoint;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.checkpoint.SafeTensorsWriter;
import dev.qf2.checkpoint.TensorData;
import dev.qf2.checkpoint.TensorInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qf2 chat} on model directories that cannot be used: one line naming the problem, exit code 2. */
class ChatModelErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingModelDirectoryIsNamed() {
        Path missing = dir.resolve("no-such-model");

        CommandRun run = CommandRun.of("chat", "--model", missing.toString(), "Who is the CEO?");

        run.assertOneLineError(missing.toString(), "--model");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aModelDirectoryWithoutConfigJsonNamesTheMissingFile() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Files.delete(model.resolve("config.json"));

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(model.resolve("config.json").toString());
    }

    @Test
    void aTruncatedConfigJsonIsNamedWithWhereItBreaksOff() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path config = model.resolve("config.json");
        Files.writeString(config, "{\n  \"architectures\": [\"Qwen2ForCausalLM\"],\n  \"hidden_size\": 3");

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        String error = run.assertOneLineError(config.toString(), "at line 3, column 19");
        assertThat(error).doesNotContain("Source");
    }

    @Test
    void aGenerationConfigThatIsNotJsonIsNamedWithWhereItFails() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path generationConfig = model.resolve("generation_config.json");
        Files.writeString(generationConfig, "{\"temperature\": 0.7,}");

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(generationConfig.toString(), "at line 1, column 21");
    }

    @Test
    void anotherArchitectureIsNamedWithItsConfigFile() {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        TinyModelDirectories.editConfig(model, config -> config.putArray("architectures").add("LlamaForCausalLM"));

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError("LlamaForCausalLM", model.resolve("config.json").toString(), "Qwen2ForCausalLM");
    }

    @Test
    void aTensorOfTheWrongShapeIsNamedWithItsShapesAndFile() {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path weights = model.resolve("model.safetensors");
        String misShaped = "model.layers.1.mlp.up_proj.weight";
        replaceTensor(weights, misShaped, new long[] {48, 32});

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(misShaped, weights.toString(), "[48, 32]", "[64, 32]");
    }

    @Test
    void aTruncatedSafetensorsFileIsNamed() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path weights = model.resolve("model.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(weights.toString());
    }

    @Test
    void aModelDirectoryWithoutWeightsNamesWhatIsMissing() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Files.delete(model.resolve("model.safetensors"));

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError("model.safetensors", model.toString());
    }

    @Test
    void aGarbageTokenizerIsNamed() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path tokenizer = model.resolve("tokenizer.json");
        Files.writeString(tokenizer, "{\"model\": {\"type\": \"BPE\", \"vocab\": 7}}\n");

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(tokenizer.toString());
    }

    @Test
    void anUnreadableTokenizerIsNamed() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path tokenizer = model.resolve("tokenizer.json");
        Files.setPosixFilePermissions(tokenizer, Set.of());
        assumeFalse(Files.isReadable(tokenizer), "the file stays readable to this user (root)");

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(tokenizer.toString(), "permission denied");
    }

    @Test
    void aTokenizerThatIsNotJsonIsNamed() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Path tokenizer = model.resolve("tokenizer.json");
        Files.write(tokenizer, new byte[] {(byte) 0xff, 0x00, 0x13, 'x', '\n', '{'});

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError(tokenizer.toString());
    }

    @Test
    void aMissingTokenizerIsNamed() throws IOException {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);
        Files.delete(model.resolve("tokenizer.json"));

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "Who is the CEO?");

        run.assertOneLineError("tokenizer.json", model.toString());
    }

    @Test
    void aPromptLongerThanMaxPositionEmbeddingsIsRefused() {
        RandomCheckpoint.Shape shortContext = new RandomCheckpoint.Shape("short-context", 300, 32, 64, 2, 4, 2, 16,
                10000.0, 1e-6, true);
        Path model = RandomCheckpoint.write(dir.resolve("model"), shortContext, 1);
        ByteTokenizer.write(model.resolve("tokenizer.json"));

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "3",
                "Which city is the capital of the country that lies north of Spain?");

        run.assertOneLineError("max_position_embeddings", "16");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aTokenizerWithIdsBeyondTheModelsVocabularyIsRefused() {
        RandomCheckpoint.Shape smallVocabulary = new RandomCheckpoint.Shape("small-vocabulary", 260, 32, 64, 2, 4, 2,
                256, 10000.0, 1e-6, true);
        Path model = RandomCheckpoint.write(dir.resolve("model"), smallVocabulary, 1);
        ByteTokenizer.write(model.resolve("tokenizer.json"));

        // The byte tokenizer encodes "assistant" as the single id 263.
        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "--max-new-tokens", "3",
                "Are you an assistant?");

        run.assertOneLineError("token id 263", "260", "vocab_size");
    }

    @Test
    void aFiringLayerBeyondTheModelIsRefused() {
        Path model = TinyModelDirectories.write(dir.resolve("model"), 1);

        CommandRun run = CommandRun.of("chat", "--model", model.toString(), "--qf-layer", "2",
                "--store", dir.resolve("store").toString(), "Who is the CEO?");

        run.assertOneLineError("--qf-layer 2", "2 layers");
    }

    /** Rewrites a safetensors file with one tensor replaced by zeros of another shape. */
    private static void replaceTensor(Path file, String name, long[] shape) {
        List<TensorData> tensors = new ArrayList<>();
        Map<String, String> metadata;
        try (SafeTensorsFile weights = SafeTensorsFile.open(file)) {
            metadata = weights.metadata();
            for (Map.Entry<String, TensorInfo> e : weights.tensors().entrySet()) {
                TensorInfo info = e.getValue();
                tensors.add(e.getKey().equals(name)
                        ? TensorData.ofFloats(name, DType.F32, shape, new float[Math.toIntExact(shape[0] * shape[1])])
                        : TensorData.ofFloats(e.getKey(), info.dtype(), info.shape(), weights.readFloats(e.getKey())));
            }
        }
        SafeTensorsWriter.write(file, metadata, tensors);
    }
}
