package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen2TensorLayoutTest {

    /** H 8, I 16, 2 layers, 4 query heads of width 2, 2 key/value heads: k_proj and v_proj have 4 rows. */
    private static final Qwen2Config TIED = Qwen2Config.builder().vocabSize(10).hiddenSize(8).intermediateSize(16)
            .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true).build();

    private static final Qwen2Config UNTIED = Qwen2Config.builder().vocabSize(10).hiddenSize(8).intermediateSize(16)
            .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(false).build();

    @TempDir
    Path dir;

    @Test
    void expectsTheHuggingFaceNamesAndShapes() {
        Map<String, long[]> shapes = Qwen2TensorLayout.expectedShapes(TIED);

        assertThat(shapes).hasSize(1 + 2 * 12 + 1).doesNotContainKey("lm_head.weight");
        assertThat(shapes.get("model.embed_tokens.weight")).containsExactly(10, 8);
        assertThat(shapes.get("model.layers.1.self_attn.q_proj.weight")).containsExactly(8, 8);
        assertThat(shapes.get("model.layers.1.self_attn.q_proj.bias")).containsExactly(8);
        assertThat(shapes.get("model.layers.1.self_attn.k_proj.weight")).containsExactly(4, 8);
        assertThat(shapes.get("model.layers.1.self_attn.v_proj.bias")).containsExactly(4);
        assertThat(shapes.get("model.layers.1.self_attn.o_proj.weight")).containsExactly(8, 8);
        assertThat(shapes).doesNotContainKey("model.layers.1.self_attn.o_proj.bias");
        assertThat(shapes.get("model.layers.0.mlp.gate_proj.weight")).containsExactly(16, 8);
        assertThat(shapes.get("model.layers.0.mlp.up_proj.weight")).containsExactly(16, 8);
        assertThat(shapes.get("model.layers.0.mlp.down_proj.weight")).containsExactly(8, 16);
        assertThat(shapes.get("model.layers.0.input_layernorm.weight")).containsExactly(8);
        assertThat(shapes.get("model.layers.0.post_attention_layernorm.weight")).containsExactly(8);
        assertThat(shapes.get("model.norm.weight")).containsExactly(8);
        assertThat(Qwen2TensorLayout.expectedShapes(UNTIED).get("lm_head.weight")).containsExactly(10, 8);
    }

    @Test
    void aCompleteCheckpointPasses() {
        try (TensorStore store = writeCheckpoint(TIED, Map.of())) {
            assertThatCode(() -> Qwen2TensorLayout.validate(store, TIED)).doesNotThrowAnyException();
        }
    }

    @Test
    void aTensorOfTheWrongShapeIsNamedWithBothShapes() {
        String name = "model.layers.1.mlp.down_proj.weight";
        try (TensorStore store = writeCheckpoint(TIED, Map.of(name, new long[] {16, 8}))) {
            assertThatThrownBy(() -> Qwen2TensorLayout.validate(store, TIED)).isInstanceOf(Qf2Exception.class)
                    .hasMessage("tensor " + name + " in " + store.path() + " has shape [16, 8], expected [8, 16]"
                            + " from config.json: the weights do not belong to this config");
        }
    }

    @Test
    void aMissingLmHeadOfAnUntiedModelSaysWhyItIsNeeded() {
        try (TensorStore store = writeCheckpoint(TIED, Map.of())) {
            assertThatThrownBy(() -> Qwen2TensorLayout.validate(store, UNTIED)).isInstanceOf(Qf2Exception.class)
                    .hasMessageStartingWith("missing tensor lm_head.weight in " + store.path())
                    .hasMessageContaining("tie_word_embeddings is false");
        }
    }

    @Test
    void anIntegerTensorIsRefused() {
        Path file = dir.resolve("model.safetensors");
        List<TensorData> tensors = new ArrayList<>();
        Qwen2TensorLayout.expectedShapes(TIED).forEach((name, shape) -> tensors.add(name.equals("model.norm.weight")
                ? TensorData.ofLongs(name, DType.I32, shape, new long[8])
                : zeros(name, shape)));
        SafeTensorsWriter.write(file, Map.of(), tensors);

        try (TensorStore store = SafeTensorsFile.open(file)) {
            assertThatThrownBy(() -> Qwen2TensorLayout.validate(store, TIED)).isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining("tensor model.norm.weight in " + file + " is I32");
        }
    }

    /** Writes zeros for every tensor the config expects, with some shapes replaced. */
    private TensorStore writeCheckpoint(Qwen2Config config, Map<String, long[]> shapeOverrides) {
        Path file = dir.resolve("model.safetensors");
        List<TensorData> tensors = new ArrayList<>();
        Qwen2TensorLayout.expectedShapes(config)
                .forEach((name, shape) -> tensors.add(zeros(name, shapeOverrides.getOrDefault(name, shape))));
        SafeTensorsWriter.write(file, Map.of("format", "pt"), tensors);
        return TensorStore.openDirectory(dir);
    }

    private static TensorData zeros(String name, long[] shape) {
        return TensorData.ofFloats(name, DType.BF16, shape, new float[(int) TensorInfo.numel(shape)]);
    }
}
