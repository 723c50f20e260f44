package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedTensorStoreTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    @Test
    void readsEveryTensorFromItsShardThroughTheIndex() throws IOException {
        writeShards();
        writeIndex("""
                {"metadata": {"total_size": 36},
                 "weight_map": {"model.embed_tokens.weight": "%s", "model.norm.weight": "%s",
                                "lm_head.weight": "%s"}}""".formatted(SHARD_1, SHARD_2, SHARD_1));

        try (TensorStore store = TensorStore.openDirectory(dir)) {
            assertThat(store).isInstanceOf(ShardedTensorStore.class);
            assertThat(store.path()).isEqualTo(dir.resolve(TensorStore.SHARD_INDEX));
            assertThat(store.tensors().keySet())
                    .containsExactly("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight");
            assertThat(store.readFloats("model.embed_tokens.weight")).containsExactly(1, 2, 3, 4);
            assertThat(store.readFloats("lm_head.weight")).containsExactly(-1, -2, -3, -4);
            assertThat(store.readFloats("model.norm.weight")).containsExactly(1, 1);
            assertThat(store.fileOf("model.norm.weight")).isEqualTo(dir.resolve(SHARD_2));
            assertThat(store.fileOf("lm_head.weight")).isEqualTo(dir.resolve(SHARD_1));
            assertThat(store.tensors().get("model.norm.weight").shape()).containsExactly(2);

            ShardedTensorStore sharded = (ShardedTensorStore) store;
            assertThat(sharded.shardFiles()).containsExactly(dir.resolve(SHARD_1), dir.resolve(SHARD_2));
            assertThat(sharded.metadata()).containsEntry("total_size", 36L);
        }
    }

    @Test
    void aSingleFileIsPreferredToAnIndex() throws IOException {
        writeShards();
        writeIndex("{\"weight_map\": {\"model.norm.weight\": \"" + SHARD_2 + "\"}}");
        SafeTensorsWriter.write(dir.resolve(TensorStore.SINGLE_FILE), Map.of(),
                List.of(TensorData.ofFloats("only", DType.F32, new long[] {1}, new float[] {9})));

        try (TensorStore store = TensorStore.openDirectory(dir)) {
            assertThat(store).isInstanceOf(SafeTensorsFile.class);
            assertThat(store.tensors().keySet()).containsExactly("only");
        }
    }

    @Test
    void anIndexNamingAMissingShardNamesTheIndexTensorAndShard() throws IOException {
        writeShards();
        writeIndex("""
                {"weight_map": {"model.embed_tokens.weight": "%s",
                                "model.layers.0.mlp.up_proj.weight": "model-00003-of-00003.safetensors"}}"""
                .formatted(SHARD_1));
        Path index = dir.resolve(TensorStore.SHARD_INDEX);

        assertThatThrownBy(() -> TensorStore.openDirectory(dir)).isInstanceOf(Qf2Exception.class)
                .hasMessage("shard index " + index + " maps tensor model.layers.0.mlp.up_proj.weight to "
                        + "model-00003-of-00003.safetensors, which does not exist: "
                        + "download every shard of the checkpoint");
    }

    @Test
    void anIndexMappingATensorToTheWrongShardNamesBoth() throws IOException {
        writeShards();
        writeIndex("{\"weight_map\": {\"model.norm.weight\": \"" + SHARD_1 + "\"}}");

        assertThatThrownBy(() -> TensorStore.openDirectory(dir)).isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("maps tensor model.norm.weight to " + SHARD_1 + ", which does not hold it");
    }

    @Test
    void anIndexPointingOutsideTheDirectoryIsRefused() throws IOException {
        writeShards();
        writeIndex("{\"weight_map\": {\"model.norm.weight\": \"../" + SHARD_2 + "\"}}");

        assertThatThrownBy(() -> TensorStore.openDirectory(dir)).isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("outside the model directory");
    }

    @Test
    void anIndexWithoutAWeightMapIsMalformed() throws IOException {
        writeIndex("{\"metadata\": {}}");

        assertThatThrownBy(() -> TensorStore.openDirectory(dir)).isInstanceOf(Qf2Exception.class)
                .hasMessageStartingWith("malformed shard index " + dir.resolve(TensorStore.SHARD_INDEX));
    }

    @Test
    void anIndexThatIsNotJsonIsReportedOnOneLine() throws IOException {
        writeIndex("{\"weight_map\": {\"model.norm.weight\": ");

        assertThatThrownBy(() -> TensorStore.openDirectory(dir)).isInstanceOf(Qf2Exception.class)
                .hasMessageStartingWith("cannot read shard index " + dir.resolve(TensorStore.SHARD_INDEX))
                .hasMessageEndingWith(": re-download the checkpoint")
                .satisfies(error -> assertThat(error.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aDirectoryWithoutWeightsIsNamed() {
        assertThatThrownBy(() -> TensorStore.openDirectory(dir)).isInstanceOf(Qf2Exception.class)
                .hasMessage("no model.safetensors or model.safetensors.index.json in " + dir
                        + ": point --model at a Hugging Face model directory");
    }

    @Test
    void askingForATensorOutsideTheWeightMapNamesTheIndex() throws IOException {
        writeShards();
        writeIndex("{\"weight_map\": {\"model.norm.weight\": \"" + SHARD_2 + "\"}}");

        try (TensorStore store = TensorStore.openDirectory(dir)) {
            assertThatThrownBy(() -> store.readF32("lm_head.weight")).isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining("no tensor lm_head.weight in the weight map of "
                            + dir.resolve(TensorStore.SHARD_INDEX));
        }
    }

    private void writeShards() {
        SafeTensorsWriter.write(dir.resolve(SHARD_1), Map.of("format", "pt"), List.of(
                TensorData.ofFloats("model.embed_tokens.weight", DType.F32, new long[] {2, 2},
                        new float[] {1, 2, 3, 4}),
                TensorData.ofFloats("lm_head.weight", DType.BF16, new long[] {2, 2}, new float[] {-1, -2, -3, -4})));
        SafeTensorsWriter.write(dir.resolve(SHARD_2), Map.of("format", "pt"), List.of(
                TensorData.ofFloats("model.norm.weight", DType.F16, new long[] {2}, new float[] {1, 1})));
    }

    private void writeIndex(String json) throws IOException {
        Files.writeString(dir.resolve(TensorStore.SHARD_INDEX), json);
    }
}
