package dev.qf2.model;

import static dev.qf2.testing.FloatArrays.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.testing.TinyModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding with the cache gives the logits of a full forward pass over the same tokens. */
class KvCacheTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;

    private static Qwen2Model model;
    private static NDManager manager;

    @BeforeAll
    static void load() {
        model = Qwen2Model.load(ModelDirectory.open(TinyModels.write(dir, 11)));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    private static float[] fullLogits(int[] ids) {
        try (NDArray logits = model.forward(manager, ids, ForwardObserver.NONE)) {
            return logits.toFloatArray();
        }
    }

    private static float[] row(float[] logits, int index, int vocab) {
        return Arrays.copyOfRange(logits, index * vocab, (index + 1) * vocab);
    }

    private void assertDecodingMatchesFullPass(FiringBlock block) {
        model.setFiringBlock(block);
        int[] ids = {5, 17, 3, 99, 42, 7, 250, 1};
        int vocab = model.config().vocabSize();
        float[] full = fullLogits(ids);
        try (KvCache cache = model.newCache()) {
            NDArray logits = model.prefill(manager, List.of(Arrays.copyOf(ids, 3)), cache, ForwardObserver.NONE);
            assertThat(maxAbsDifference(logits.toFloatArray(), row(full, 2, vocab)))
                    .isLessThan(TOLERANCE);
            logits.close();
            for (int t = 3; t < ids.length; t++) {
                logits = model.decode(manager, new int[] {ids[t]}, cache, ForwardObserver.NONE);
                assertThat(maxAbsDifference(logits.toFloatArray(), row(full, t, vocab)))
                        .as("position %d", t).isLessThan(TOLERANCE);
                logits.close();
            }
            assertThat(cache.length()).isEqualTo(ids.length);
        } finally {
            model.setFiringBlock(null);
        }
    }

    @Test
    void decodingTokenByTokenMatchesTheFullPassOnTheStockModel() {
        assertDecodingMatchesFullPass(null);
    }

    @Test
    void decodingTokenByTokenMatchesTheFullPassWithAFiringBlock() {
        assertDecodingMatchesFullPass(FiringBlock.at(1, 10));
    }

    @Test
    void paddedBatchMatchesEachSequenceRunAlone() {
        int vocab = model.config().vocabSize();
        int[] shortPrompt = {8, 9, 10};
        int[] longPrompt = {20, 21, 22, 23, 24, 25};
        int[] shortNext = {30, 31};
        int[] longNext = {40, 41};
        float[] shortFull = fullLogits(new int[] {8, 9, 10, 30, 31});
        float[] longFull = fullLogits(new int[] {20, 21, 22, 23, 24, 25, 40, 41});
        try (KvCache cache = model.newCache()) {
            NDArray logits = model.prefill(manager, List.of(shortPrompt, longPrompt), cache, ForwardObserver.NONE);
            float[] both = logits.toFloatArray();
            logits.close();
            assertThat(maxAbsDifference(row(both, 0, vocab), row(shortFull, 2, vocab)))
                    .isLessThan(TOLERANCE);
            assertThat(maxAbsDifference(row(both, 1, vocab), row(longFull, 5, vocab)))
                    .isLessThan(TOLERANCE);
            for (int k = 0; k < 2; k++) {
                logits = model.decode(manager, new int[] {shortNext[k], longNext[k]}, cache, ForwardObserver.NONE);
                both = logits.toFloatArray();
                logits.close();
                assertThat(maxAbsDifference(row(both, 0, vocab), row(shortFull, 3 + k, vocab)))
                        .as("short row, step %d", k).isLessThan(TOLERANCE);
                assertThat(maxAbsDifference(row(both, 1, vocab), row(longFull, 6 + k, vocab)))
                        .as("long row, step %d", k).isLessThan(TOLERANCE);
            }
        }
    }
}
