package dev.qf2.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.RandomCheckpoint;
import dev.qf2.model.Qwen2Model;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weight bytes a decode step reads, on the tiny shape: vocabulary 300, hidden 32, intermediate 64, 2 layers,
 * 4 query heads and 2 key/value heads of width 8.
 */
class InferenceBenchmarkTest {

    /** One layer: 2 norms (32 each), q and o (32 x 32), k and v (16 x 32), 3 biases (32 + 16 + 16), 3 MLP (64 x 32). */
    private static final long LAYER_FLOATS = 2 * 32 + 2 * 32 * 32 + 2 * 16 * 32 + (32 + 16 + 16) + 3 * 64 * 32;

    /** The embedding (300 x 32). */
    private static final long EMBEDDING_FLOATS = 300 * 32;

    /** Two layers, the final norm (32) and the embedding. */
    private static final long TIED_FLOATS = 2 * LAYER_FLOATS + 32 + EMBEDDING_FLOATS;

    private static final RandomCheckpoint.Shape UNTIED = new RandomCheckpoint.Shape("tiny-untied", 300, 32, 64, 2,
            4, 2, 256, 10000.0, 1e-6, false);

    @Test
    void tiedHeadReadsEveryWeightOnceAndTheEmbeddingAgainForItsLookupRow(@TempDir Path dir) {
        try (Qwen2Model model = Qwen2Model.load(ModelDirectory.open(
                RandomCheckpoint.write(dir, RandomCheckpoint.Shape.TINY, 1)))) {
            assertThat(InferenceBenchmark.float32WeightBytes(model)).isEqualTo(TIED_FLOATS * 4);
            assertThat(InferenceBenchmark.weightBytesPerToken(model)).isEqualTo((TIED_FLOATS + 32) * 4);
        }
    }

    @Test
    void untiedHeadReadsItsOwnMatrixAndOnlyOneEmbeddingRow(@TempDir Path dir) {
        try (Qwen2Model model = Qwen2Model.load(ModelDirectory.open(RandomCheckpoint.write(dir, UNTIED, 1)))) {
            assertThat(InferenceBenchmark.float32WeightBytes(model)).isEqualTo((TIED_FLOATS + EMBEDDING_FLOATS) * 4);
            assertThat(InferenceBenchmark.weightBytesPerToken(model)).isEqualTo((TIED_FLOATS + 32) * 4);
        }
    }
}
