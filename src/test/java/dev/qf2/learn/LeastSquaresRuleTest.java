package dev.qf2.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.bench.ByteTokenizer;
import dev.qf2.store.Factors;
import dev.qf2.text.AnswerTokens;
import dev.qf2.text.Tokenizer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The least-squares margin rule on a synthetic recording: what it changes, and what it leaves alone. */
class LeastSquaresRuleTest {

    private static final int HIDDEN = 24;
    private static final int INTERMEDIATE = 40;
    private static final double BETA = 10;
    private static final double MARGIN = 4;
    /** What the solve's small ridge leaves of exactness, in units of the pre-activation. */
    private static final double TOLERANCE = 5e-3;

    @TempDir
    static Path dir;

    private static Tokenizer tokenizer;

    @BeforeAll
    static void writeTokenizer() {
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        tokenizer = Tokenizer.load(dir.resolve("tokenizer.json"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** A recording of the answer "Ab cd." with random block inputs and pre-activations. */
    private static Qf2Update.Recording recording(long seed) {
        AnswerTokens answer = AnswerTokens.build(tokenizer, "Ab cd.", new double[] {1, 2});
        int rows = answer.rows();
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = values(random, rows * HIDDEN, 1.0);
        float[] wanted = values(random, rows * INTERMEDIATE, 1.0);
        float[] current = values(random, rows * INTERMEDIATE, 1.0);
        TeacherForcedRun instruct = new TeacherForcedRun(new int[] {1}, rows, values(random, rows * HIDDEN, 1.0),
                wanted, sigmoid(wanted));
        TeacherForcedRun update = new TeacherForcedRun(new int[] {1}, rows, x, current, sigmoid(current));
        return new Qf2Update.Recording(answer, instruct, update);
    }

    @Test
    void everyAnswerRowGetsTheFactsSignWithTheMarginWhileThePreservedInputsDoNotMove() {
        Qf2Update.Recording r = recording(3);
        float[] preserved = values(new SplittableRandom(4), 5 * HIDDEN, 1.0);

        Factors f = Qf2Update.leastSquares(r, MARGIN, BETA, null, preserved);

        double threshold = MARGIN / BETA;
        double[] significance = r.significance();
        int checked = 0;
        for (int i = 0; i < r.rows(); i++) {
            if (significance[i] == 0) {
                continue;
            }
            double[] moved = apply(f, r.xprime(), i);
            for (int u = 0; u < INTERMEDIATE; u++) {
                double wanted = r.instruct().preActivation()[i * INTERMEDIATE + u];
                double now = r.update().preActivation()[i * INTERMEDIATE + u] + moved[u];
                if (wanted >= threshold) {
                    assertThat(now).isGreaterThan(threshold - TOLERANCE);
                } else if (wanted <= -threshold) {
                    assertThat(now).isLessThan(-threshold + TOLERANCE);
                } else {
                    assertThat(now).isCloseTo(wanted, org.assertj.core.data.Offset.offset(TOLERANCE));
                }
            }
            checked++;
        }
        assertThat(checked).isEqualTo(nonZero(significance)).isGreaterThan(2);
        for (int m = 0; m < 5; m++) {
            for (double change : apply(f, preserved, m)) {
                assertThat(Math.abs(change)).isLessThan(TOLERANCE);
            }
        }
        assertThat(f.rows()).isEqualTo(checked + 5);
    }

    @Test
    void withoutPreservedInputsTheChangeHasOneFactorRowPerAnswerRowOfNonZeroSignificance() {
        Qf2Update.Recording r = recording(5);

        Factors f = Qf2Update.leastSquares(r, MARGIN, BETA, null, new float[0]);

        assertThat(r.significance()[0]).isZero();
        assertThat(f.rows()).isEqualTo(nonZero(r.significance())).isEqualTo(r.rows() - 1);
    }

    @Test
    void aRowAlreadyPastTheMarginOnTheFactsSideIsLeftAlone() {
        Qf2Update.Recording base = recording(7);
        float[] current = base.update().preActivation().clone();
        float[] wanted = base.instruct().preActivation().clone();
        for (int n = 0; n < current.length; n++) {
            wanted[n] = Math.signum(wanted[n]) * 2;
            current[n] = wanted[n];
        }
        Qf2Update.Recording r = new Qf2Update.Recording(base.answer(),
                new TeacherForcedRun(new int[] {1}, base.rows(), base.instruct().blockInput(), wanted, sigmoid(wanted)),
                new TeacherForcedRun(new int[] {1}, base.rows(), base.xprime(), current, sigmoid(current)));

        Factors f = Qf2Update.leastSquares(r, MARGIN, BETA, null, new float[0]);

        for (float a : f.a()) {
            assertThat(a).isZero();
        }
    }

    private static int nonZero(double[] significance) {
        return (int) java.util.Arrays.stream(significance).filter(s -> s != 0).count();
    }

    /** (A^T B) x for row {@code row} of {@code inputs}, (I). */
    private static double[] apply(Factors f, float[] inputs, int row) {
        double[] out = new double[INTERMEDIATE];
        for (int t = 0; t < f.rows(); t++) {
            double dot = 0;
            for (int c = 0; c < HIDDEN; c++) {
                dot += f.b()[t * HIDDEN + c] * (double) inputs[row * HIDDEN + c];
            }
            for (int u = 0; u < INTERMEDIATE; u++) {
                out[u] += f.a()[t * INTERMEDIATE + u] * dot;
            }
        }
        return out;
    }

    private static float[] values(SplittableRandom random, int n, double scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (random.nextGaussian() * scale);
        }
        return out;
    }

    private static float[] sigmoid(float[] preActivation) {
        float[] out = new float[preActivation.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (1 / (1 + Math.exp(-BETA * preActivation[i])));
        }
        return out;
    }
}
