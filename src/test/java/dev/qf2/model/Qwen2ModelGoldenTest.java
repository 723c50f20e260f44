package dev.qf2.model;

import static dev.qf2.testing.FloatArrays.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.testing.Goldens;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forward pass against tensors that the reference Python code produced on the golden tiny model:
 * the stock path, the firing block with beta 10, and the training blend.
 */
class Qwen2ModelGoldenTest {

    private static final double TOLERANCE = 1e-3;

    private static Qwen2Model model;
    private static NDManager manager;

    @BeforeAll
    static void load() {
        model = Qwen2Model.load(ModelDirectory.open(Goldens.modelDir()));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
        if (model != null) {
            model.close();
        }
    }

    /** Everything one pass produced, copied out of native memory. */
    private record Pass(float[] logits, int vocab, float[] finalHidden, Map<Integer, float[]> layerOutputs,
            float[] firingInput, float[] up) {}

    private static Pass run(String prefix, FiringBlock block) {
        int[] ids = toInts(Goldens.i64(prefix + ".input_ids"));
        Map<Integer, float[]> layers = new HashMap<>();
        float[][] captured = new float[3][];
        model.setFiringBlock(block);
        ForwardObserver observer = new ForwardObserver() {
            @Override
            public void layerOutput(int index, NDArray x) {
                layers.put(index, x.toFloatArray());
            }

            @Override
            public void finalHidden(NDArray x) {
                captured[0] = x.toFloatArray();
            }

            @Override
            public void firingInput(NDArray h) {
                captured[1] = h.toFloatArray();
            }

            @Override
            public void firingPreActivation(NDArray up) {
                captured[2] = up.toFloatArray();
            }

            @Override
            public boolean wantsLayerOutputs() {
                return true;
            }
        };
        try (NDArray logits = model.forward(manager, ids, observer)) {
            int vocab = (int) logits.getShape().get(1);
            return new Pass(logits.toFloatArray(), vocab, captured[0], layers, captured[1], captured[2]);
        } finally {
            model.setFiringBlock(null);
        }
    }

    private static void assertMatches(String prefix, Pass pass) {
        long[] cols = Goldens.i64("logit_cols");
        float[] expectedCols = Goldens.f32(prefix + ".logits_cols");
        int positions = expectedCols.length / cols.length;
        float[] actualCols = new float[expectedCols.length];
        for (int t = 0; t < positions; t++) {
            for (int c = 0; c < cols.length; c++) {
                actualCols[t * cols.length + c] = pass.logits[t * pass.vocab + (int) cols[c]];
            }
        }
        assertThat(Goldens.report(prefix + " logits (stored columns), max abs error", maxAbsDifference(actualCols,
                expectedCols))).as(prefix + " logits on the stored columns")
                .isLessThan(TOLERANCE);
        assertThat(Goldens.report(prefix + " final hidden, max abs error", maxAbsDifference(pass.finalHidden,
                Goldens.f32(prefix + ".final_hidden"))))
                .as(prefix + " final hidden").isLessThan(TOLERANCE);

        long[] top10 = Goldens.i64(prefix + ".top10_ids");
        for (int t = 0; t < positions; t++) {
            float[] row = java.util.Arrays.copyOfRange(pass.logits, t * pass.vocab, (t + 1) * pass.vocab);
            assertThat(Generator.argMax(row)).as(prefix + " top-1 at position " + t).isEqualTo((int) top10[t * 10]);
        }
    }

    private static void assertLastRow(String prefix, Pass pass) {
        float[] expected = Goldens.f32(prefix + ".logits_last");
        float[] actual = java.util.Arrays.copyOfRange(pass.logits, pass.logits.length - pass.vocab,
                pass.logits.length);
        assertThat(Goldens.report(prefix + " last-position logits, max abs error", maxAbsDifference(actual, expected)))
                .as(prefix + " full last-position logits").isLessThan(TOLERANCE);
    }

    private static void assertLayers(String prefix, Pass pass) {
        float[] expected = Goldens.f32(prefix + ".layer_out");
        int perLayer = expected.length / 29;
        for (int i = 0; i <= 28; i++) {
            float[] slice = java.util.Arrays.copyOfRange(expected, i * perLayer, (i + 1) * perLayer);
            assertThat(maxAbsDifference(pass.layerOutputs.get(i), slice)).as(prefix + " layer_out[" + i + "]")
                    .isLessThan(TOLERANCE);
        }
    }

    @Test
    void stockPathMatchesReferenceOnAllPrompts() {
        for (String p : new String[] {"p0", "p1", "p2"}) {
            assertMatches("stock." + p, run("stock." + p, null));
        }
    }

    @Test
    void stockPathMatchesReferenceLayerByLayerAndOnTheFullLastRow() {
        Pass pass = run("stock.p0", null);
        assertLastRow("stock.p0", pass);
        assertLayers("stock.p0", pass);
    }

    @Test
    void firingBlockWithBeta10MatchesReferenceOnAllPrompts() {
        for (String p : new String[] {"p0", "p1", "p2"}) {
            assertMatches("qf2b10." + p, run("qf2b10." + p, FiringBlock.at(23, 10)));
        }
    }

    @Test
    void firingBlockInputsAndPreActivationsMatchReference() {
        Pass pass = run("qf2b10.p0", FiringBlock.at(23, 10));
        assertLastRow("qf2b10.p0", pass);
        assertLayers("qf2b10.p0", pass);
        assertThat(maxAbsDifference(pass.firingInput, Goldens.f32("qf2b10.p0.l23_mlp_in"))).isLessThan(TOLERANCE);
        assertThat(maxAbsDifference(pass.up, Goldens.f32("qf2b10.p0.l23_up"))).isLessThan(TOLERANCE);
    }

    @Test
    void trainingBlendMatchesReferenceAtSteps5And100AndAtInference() {
        double step5 = Math.pow(0.99, 5);
        double step100 = Math.pow(0.99, 100);
        Pass five = run("qftblend.step5.p0", new FiringBlock(23, 1000, step5));
        assertMatches("qftblend.step5.p0", five);
        assertLastRow("qftblend.step5.p0", five);
        assertLayers("qftblend.step5.p0", five);
        Pass hundred = run("qftblend.step100.p0", new FiringBlock(23, 1000, step100));
        assertMatches("qftblend.step100.p0", hundred);
        assertLastRow("qftblend.step100.p0", hundred);
        assertMatches("qftblend.stepNone.p0", run("qftblend.stepNone.p0", FiringBlock.at(23, 1000)));
    }

    static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
