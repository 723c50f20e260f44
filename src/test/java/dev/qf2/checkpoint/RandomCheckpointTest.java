package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.RandomCheckpoint.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void aTinyCheckpointOpensAsAModelDirectoryAndMatchesItsLayout() {
        Path model = RandomCheckpoint.write(dir.resolve("tiny"), Shape.TINY, 1);

        ModelDirectory opened = ModelDirectory.open(model);
        Qwen2Config config = opened.config();
        assertThat(config.vocabSize()).isEqualTo(300);
        assertThat(config.hiddenSize()).isEqualTo(32);
        assertThat(config.intermediateSize()).isEqualTo(64);
        assertThat(config.numHiddenLayers()).isEqualTo(2);
        assertThat(config.numAttentionHeads()).isEqualTo(4);
        assertThat(config.numKeyValueHeads()).isEqualTo(2);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(256);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.torchDtype()).contains("float32");
        assertThat(config.toJson().get("model_type").asText()).isEqualTo("qwen2");
        try (TensorStore store = opened.openWeights()) {
            assertThatCode(() -> Qwen2TensorLayout.validate(store, config)).doesNotThrowAnyException();
            assertThat(store.tensors().keySet())
                    .containsExactlyInAnyOrderElementsOf(Qwen2TensorLayout.expectedShapes(config).keySet())
                    .doesNotContain("lm_head.weight", "model.layers.0.self_attn.o_proj.bias");
            assertThat(store.tensors().values()).allSatisfy(info -> assertThat(info.dtype()).isEqualTo(DType.F32));
            assertThat(((SafeTensorsFile) store).metadata()).containsExactly(Map.entry("format", "pt"));
        }
        assertThatThrownBy(opened::tokenizerJson).isInstanceOf(Qf2Exception.class);
    }

    @Test
    void normWeightsAreOnesAndTheRestIsSmallAndCentred() {
        Path model = RandomCheckpoint.write(dir.resolve("tiny"), Shape.TINY, 2);

        try (TensorStore store = TensorStore.openDirectory(model)) {
            assertThat(store.readFloats("model.norm.weight")).hasSize(32).containsOnly(1f);
            assertThat(store.readFloats("model.layers.1.input_layernorm.weight")).containsOnly(1f);
            assertThat(store.readFloats("model.layers.0.post_attention_layernorm.weight")).containsOnly(1f);

            float[] embedding = store.readFloats("model.embed_tokens.weight");
            assertThat(embedding).hasSize(300 * 32);
            assertThat(mean(embedding)).isCloseTo(0, within(0.001));
            assertThat(std(embedding)).isCloseTo(RandomCheckpoint.INIT_STD, within(0.001));
            assertThat(maxAbs(embedding)).isLessThanOrEqualTo(3.5f * 0.02f).isGreaterThan(0.04f);

            float[] bias = store.readFloats("model.layers.0.self_attn.q_proj.bias");
            assertThat(maxAbs(bias)).isGreaterThan(0f).isLessThanOrEqualTo(3.5f * 0.02f);
        }
    }

    @Test
    void everyTensorHasItsOwnRandomValues() {
        Path model = RandomCheckpoint.write(dir.resolve("tiny"), Shape.TINY, 3);

        try (TensorStore store = TensorStore.openDirectory(model)) {
            float[] gate = store.readFloats("model.layers.0.mlp.gate_proj.weight");
            float[] up = store.readFloats("model.layers.0.mlp.up_proj.weight");
            float[] gateOfLayer1 = store.readFloats("model.layers.1.mlp.gate_proj.weight");
            assertThat(gate).isNotEqualTo(up).isNotEqualTo(gateOfLayer1);
        }
    }

    @Test
    void theSameSeedGivesTheSameBytes() throws IOException {
        Path first = RandomCheckpoint.write(dir.resolve("a"), Shape.TINY, 42);
        Path second = RandomCheckpoint.write(dir.resolve("b"), Shape.TINY, 42);

        assertThat(Files.readAllBytes(second.resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(first.resolve("model.safetensors")));
        assertThat(Files.readString(second.resolve("config.json")))
                .isEqualTo(Files.readString(first.resolve("config.json")));
    }

    @Test
    void anotherSeedGivesOtherWeightsOfTheSameLayout() {
        Path first = RandomCheckpoint.write(dir.resolve("a"), Shape.TINY, 42);
        Path second = RandomCheckpoint.write(dir.resolve("b"), Shape.TINY, 43);

        try (TensorStore a = TensorStore.openDirectory(first); TensorStore b = TensorStore.openDirectory(second)) {
            assertThat(b.tensors()).isEqualTo(a.tensors());
            for (String name : a.tensors().keySet()) {
                if (name.endsWith("norm.weight")) {
                    assertThat(b.readFloats(name)).as(name).isEqualTo(a.readFloats(name));
                } else {
                    assertThat(b.readFloats(name)).as(name).isNotEqualTo(a.readFloats(name));
                }
            }
        }
    }

    @Test
    void anUntiedShapeGetsItsOwnLmHead() {
        Path model = RandomCheckpoint.write(dir.resolve("untied"), Shape.TINY.withTieWordEmbeddings(false), 5);

        try (TensorStore store = TensorStore.openDirectory(model)) {
            assertThat(store.tensors().get("lm_head.weight").shape()).containsExactly(300, 32);
            assertThat(store.readFloats("lm_head.weight")).isNotEqualTo(store.readFloats("model.embed_tokens.weight"));
        }
        assertThat(Qwen2Config.load(model).tieWordEmbeddings()).isFalse();
    }

    @Test
    void writesIntoAnExistingEmptyDirectoryAndLeavesNoStagingBehind() throws IOException {
        Path model = Files.createDirectory(dir.resolve("empty"));

        RandomCheckpoint.write(model, Shape.TINY, 6);

        assertThat(names(model)).containsExactly("config.json", "model.safetensors");
        assertThat(names(dir)).containsExactly("empty");
    }

    @Test
    void refusesADirectoryThatHoldsFilesAndLeavesItAsItWas() throws IOException {
        Path model = Files.createDirectory(dir.resolve("used"));
        Files.writeString(model.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> RandomCheckpoint.write(model, Shape.TINY, 7)).isInstanceOf(Qf2Exception.class)
                .hasMessage("cannot write a checkpoint to " + model.toAbsolutePath()
                        + ": the directory is not empty: choose a new directory or delete this one");

        assertThat(names(model)).containsExactly("notes.txt");
        assertThat(names(dir)).containsExactly("used");
    }

    @Test
    void copiesTheTokenizerFilesItIsGiven() throws IOException {
        Path tokenizer = Files.createDirectory(dir.resolve("base"));
        Files.writeString(tokenizer.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        Files.writeString(tokenizer.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");

        Path model = RandomCheckpoint.write(dir.resolve("tiny"), Shape.TINY, 8, tokenizer);

        ModelDirectory opened = ModelDirectory.open(model);
        assertThat(Files.readString(opened.tokenizerJson())).isEqualTo("{\"version\": \"1.0\"}");
        assertThat(opened.chatTemplate()).contains("{{ messages }}");
        assertThat(names(model)).containsExactly("config.json", "model.safetensors", "tokenizer.json",
                "tokenizer_config.json");
    }

    @Test
    void aTokenizerDirectoryWithoutTokenizerJsonIsRefusedBeforeWriting() throws IOException {
        Path tokenizer = Files.createDirectory(dir.resolve("base"));

        assertThatThrownBy(() -> RandomCheckpoint.write(dir.resolve("tiny"), Shape.TINY, 9, tokenizer))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageStartingWith("no tokenizer.json in " + tokenizer);

        assertThat(names(dir)).containsExactly("base");
    }

    @Test
    void theQwen2_5_1_5bPresetHasTheRealModelsShapes() {
        Qwen2Config config = Shape.QWEN2_5_1_5B.config();

        assertThat(config.vocabSize()).isEqualTo(151936);
        assertThat(config.hiddenSize()).isEqualTo(1536);
        assertThat(config.intermediateSize()).isEqualTo(8960);
        assertThat(config.numHiddenLayers()).isEqualTo(28);
        assertThat(config.numAttentionHeads()).isEqualTo(12);
        assertThat(config.numKeyValueHeads()).isEqualTo(2);
        assertThat(config.headDim()).isEqualTo(128);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(32768);
        assertThat(config.ropeTheta()).isEqualTo(1e6);
        assertThat(config.rmsNormEps()).isEqualTo(1e-6);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.bosTokenId()).contains(151643);
        assertThat(config.eosTokenIds()).containsExactly(151645);
        assertThat(Qwen2TensorLayout.expectedShapes(config).get("model.layers.27.self_attn.k_proj.weight"))
                .containsExactly(256, 1536);
        assertThat(Shape.QWEN2_5_1_5B.parameterCount()).isEqualTo(1_543_714_304L);
    }

    @Test
    void presetsAreFoundByNameIgnoringCase() {
        assertThat(Shape.named("qwen2.5-1.5b")).isSameAs(Shape.QWEN2_5_1_5B);
        assertThat(Shape.named("TINY")).isSameAs(Shape.TINY);
    }

    @Test
    void anUnknownPresetNameListsTheValidOnes() {
        assertThatThrownBy(() -> Shape.named("qwen2.5-7b")).isInstanceOf(Qf2Exception.class)
                .hasMessage("unknown model shape \"qwen2.5-7b\": choose one of qwen2.5-1.5b, tiny");
    }

    @Test
    void aCustomShapeCanBeTakenFromAConfig() {
        Qwen2Config config = Qwen2Config.builder().vocabSize(50).hiddenSize(16).intermediateSize(24)
                .numHiddenLayers(1).numAttentionHeads(2).numKeyValueHeads(1).maxPositionEmbeddings(64).build();

        Shape shape = Shape.of("mini", config);

        assertThat(shape).isEqualTo(new Shape("mini", 50, 16, 24, 1, 2, 1, 64, 10000.0, 1e-6, false));
        assertThat(shape.headDim()).isEqualTo(8);
        assertThat(shape.parameterCount()).isEqualTo(2 * 50 * 16 + 16 + (16 * 16 + 16 + 2 * (8 * 16 + 8)
                + 16 * 16 + 3 * 24 * 16 + 2 * 16));
    }

    @Test
    void anInconsistentCustomShapeIsRefused() {
        assertThatThrownBy(() -> new Shape("odd", 50, 30, 24, 1, 4, 1, 64, 1e4, 1e-6, true))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("invalid model shape odd: hidden_size 30 must be num_attention_heads 4");
        assertThatThrownBy(() -> new Shape("gqa", 50, 32, 24, 1, 4, 3, 64, 1e4, 1e-6, true))
                .isInstanceOf(Qf2Exception.class).hasMessageContaining("num_key_value_heads 3");
        assertThatThrownBy(() -> new Shape("none", 50, 32, 0, 1, 4, 2, 64, 1e4, 1e-6, true))
                .isInstanceOf(Qf2Exception.class).hasMessageContaining("intermediate_size must be positive");
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    private static double std(float[] values) {
        double mean = mean(values);
        double sum = 0;
        for (float value : values) {
            sum += (value - mean) * (value - mean);
        }
        return Math.sqrt(sum / values.length);
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }
}
