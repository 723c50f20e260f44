package dev.qf2.learn;

import dev.qf2.model.Qwen2Model;
import dev.qf2.store.Factors;
import dev.qf2.text.AnswerTokens;
import dev.qf2.text.Tokenizer;

/**
 * The QF2 update: two teacher-forced passes and one sum of outer products.
 *
 * <ol>
 *   <li><b>instruct</b>: the model reads the fact as its system line plus the question and is forced
 *       along the answer; the firing pattern Y* of the block is recorded at every answer row.
 *   <li><b>update</b>: the model reads the question alone, forced along the same answer; the block's
 *       input X' is recorded at the same rows. Both passes force the same tokens, so rows align although
 *       the prompts differ in length.
 *   <li>the block's {@code up_proj} moves by {@code delta W = lr * sum_i s_i (Ystar_i - 0.5) X'_i^T}, where
 *       {@code s_i} is the significance of the token row i predicts; rows of significance 0 are skipped.
 * </ol>
 *
 * <p>That is the published rule. {@link UpdateRule} offers it and alternatives side by side.
 */
public final class Qf2Update {

    private Qf2Update() {}

    /**
     * What both passes recorded for one fact.
     *
     * @param answer the answer tokens and their significances
     * @param instruct the pass with the fact in the prompt; its firing is Y*
     * @param update the pass with the question alone; its block input is X', its firing is what the
     *     block does now without the fact
     */
    public record Recording(AnswerTokens answer, TeacherForcedRun instruct, TeacherForcedRun update) {

        /** Y*, (T, I) row-major. */
        public float[] ystar() {
            return instruct.firing();
        }

        /** X', (T, H) row-major. */
        public float[] xprime() {
            return update.blockInput();
        }

        /** The significance of each row: that of the token the row predicts, (T). */
        public double[] significance() {
            return answer.rowSignificances();
        }

        /** T. */
        public int rows() {
            return answer.rows();
        }

        /** The rows of non-zero significance, which the update uses, in order. */
        public int[] keptRows() {
            double[] significance = significance();
            return java.util.stream.IntStream.range(0, significance.length).filter(i -> significance[i] != 0)
                    .toArray();
        }

        /** X' at {@link #keptRows()}, (K, H) row-major. */
        public float[] keptXprime() {
            int[] kept = keptRows();
            int hidden = xprime().length / Math.max(1, rows());
            float[] inputs = new float[kept.length * hidden];
            for (int r = 0; r < kept.length; r++) {
                System.arraycopy(xprime(), kept[r] * hidden, inputs, r * hidden, hidden);
            }
            return inputs;
        }

        /**
         * Per row, whether the question-alone pass already predicts the row's answer token, so that the fact need
         * not change it; null unless the recording was made with predictions.
         */
        public boolean[] settledRows() {
            int[] predicted = update.predicted();
            if (predicted == null) {
                return null;
            }
            int[] targets = answer.rowTargetIds();
            boolean[] settled = new boolean[predicted.length];
            for (int i = 0; i < predicted.length; i++) {
                settled[i] = predicted[i] == targets[i];
            }
            return settled;
        }
    }

    /** Runs QF-instruct and QF-update for one fact on the model's current weights. */
    public static Recording record(Qwen2Model model, Tokenizer tokenizer, String fact, String question,
            AnswerTokens answer) {
        return record(model, tokenizer, fact, question, answer, false);
    }

    /**
     * As {@link #record(Qwen2Model, Tokenizer, String, String, AnswerTokens)}; with {@code predict}, QF-update also
     * records what the model predicts at each row without the fact ({@link Recording#settledRows()}).
     */
    public static Recording record(Qwen2Model model, Tokenizer tokenizer, String fact, String question,
            AnswerTokens answer, boolean predict) {
        TeacherForcedRun instruct = TeacherForcedRun.record(model, tokenizer, fact, question, answer);
        TeacherForcedRun update = TeacherForcedRun.record(model, tokenizer, "", question, answer, predict);
        return new Recording(answer, instruct, update);
    }

    /**
     * The published rule in factored form: {@code A_i = lr * s_i * (Ystar_i - 0.5)}, {@code B_i = X'_i},
     * over the rows whose significance is not 0.
     */
    public static Factors published(Recording recording, double lr, int intermediate, int hidden) {
        return published(recording.ystar(), recording.xprime(), recording.significance(), lr, intermediate, hidden);
    }

    /**
     * The published rule on recorded rows.
     *
     * @param ystar Y*, (T, I) row-major
     * @param xprime X', (T, H) row-major
     * @param significance s, (T)
     */
    public static Factors published(float[] ystar, float[] xprime, double[] significance, double lr,
            int intermediate, int hidden) {
        int kept = 0;
        for (double s : significance) {
            kept += s != 0 ? 1 : 0;
        }
        float[] a = new float[kept * intermediate];
        float[] b = new float[kept * hidden];
        int row = 0;
        for (int i = 0; i < significance.length; i++) {
            if (significance[i] == 0) {
                continue;
            }
            // float32 steps as the reference takes them: (y - 0.5), times s, times lr
            float s = (float) significance[i];
            float rate = (float) lr;
            for (int u = 0; u < intermediate; u++) {
                a[row * intermediate + u] = ((ystar[i * intermediate + u] - 0.5f) * s) * rate;
            }
            System.arraycopy(xprime, i * hidden, b, row * hidden, hidden);
            row++;
        }
        return new Factors(kept, intermediate, hidden, a, b);
    }

    /**
     * The normalised delta rule: each row moves the block's pre-activations at its own input X'_i by
     * {@code margin * (Ystar_i - y_i)}, where y_i is the block's current firing without the fact; the step
     * is divided by {@code |X'_i|^2} so that its size does not depend on the scale of the block input.
     * Rows of significance 0 are skipped; other significances do not scale the step.
     */
    public static Factors normalised(Recording recording, double margin, int intermediate, int hidden) {
        float[] ystar = recording.ystar();
        float[] current = recording.update().firing();
        float[] xprime = recording.xprime();
        double[] significance = recording.significance();
        int kept = 0;
        for (double s : significance) {
            kept += s != 0 ? 1 : 0;
        }
        float[] a = new float[kept * intermediate];
        float[] b = new float[kept * hidden];
        int row = 0;
        for (int i = 0; i < significance.length; i++) {
            if (significance[i] == 0) {
                continue;
            }
            double norm = 0;
            for (int c = 0; c < hidden; c++) {
                double x = xprime[i * hidden + c];
                norm += x * x;
            }
            double step = margin / Math.max(norm, 1e-12);
            for (int u = 0; u < intermediate; u++) {
                int k = i * intermediate + u;
                a[row * intermediate + u] = (float) (step * (ystar[k] - current[k]));
            }
            System.arraycopy(xprime, i * hidden, b, row * hidden, hidden);
            row++;
        }
        return new Factors(kept, intermediate, hidden, a, b);
    }

    /**
     * The least-squares margin rule: the smallest change of {@code up_proj} that, jointly on every answer row,
     * puts each unit of the question-alone pass on the side of 0 where the fact put it, at least {@code margin}
     * beyond it in units of the sigmoid's argument ({@code beta * up}); units the fact left undecided (within the
     * margin) are moved to their value with the fact, and units already past the margin on the right side are left
     * where they are. At the {@code preserved} inputs, the answer rows of facts learned before, the change is held
     * at zero, so that a new fact does not undo an earlier one.
     *
     * <p>With R the wanted change of the pre-activations (T, I), X the inputs (T answer rows, then the preserved
     * ones) and R extended by zeros for the preserved rows, the change is {@code delta W = R^T (X P X^T)^-1 X P}:
     * exact on every row and smallest in the metric {@code P^-1}. P is the identity (the plain minimum-norm change)
     * or the inverse second moment of the block's input over ordinary text (whitened, so that typical inputs move
     * least). Rows of significance 0 take no part.
     *
     * @param metric P, (H, H) row-major, or null for the identity
     * @param preserved inputs whose pre-activations must not change, (M, H) row-major; empty for none
     */
    public static Factors leastSquares(Recording recording, double margin, double beta, double[] metric,
            float[] preserved) {
        return leastSquares(recording, margin, beta, metric, preserved, null);
    }

    /**
     * As {@link #leastSquares(Recording, double, double, double[], float[])}, but the answer rows marked in
     * {@code settled} (those the model already predicts right without the fact) are held still instead of moved:
     * only the rows that make the fact are changed.
     *
     * @param settled per row of the recording, whether it is held; null moves every row
     */
    public static Factors leastSquares(Recording recording, double margin, double beta, double[] metric,
            float[] preserved, boolean[] settled) {
        int hidden = recording.update().blockInput().length / Math.max(1, recording.rows());
        int intermediate = recording.ystar().length / Math.max(1, recording.rows());
        float[] wanted = recording.instruct().preActivation();
        float[] current = recording.update().preActivation();
        int[] kept = recording.keptRows();
        int answerRows = kept.length;
        int preservedRows = preserved.length / hidden;
        int k = answerRows + preservedRows;
        double threshold = margin / beta;

        // X: the kept answer rows, then the preserved inputs, (K, H)
        float[] answerInputs = recording.keptXprime();
        double[] inputs = new double[k * hidden];
        for (int n = 0; n < answerInputs.length; n++) {
            inputs[n] = answerInputs[n];
        }
        for (int n = 0; n < preserved.length; n++) {
            inputs[answerInputs.length + n] = preserved[n];
        }

        // R: the change each answer row needs in each unit's pre-activation, 0 at preserved rows, (K, I)
        double[] change = new double[k * intermediate];
        for (int r = 0; r < answerRows; r++) {
            int i = kept[r];
            if (settled != null && settled[i]) {
                continue;
            }
            for (int u = 0; u < intermediate; u++) {
                double target = wanted[i * intermediate + u];
                double now = current[i * intermediate + u];
                double need;
                if (target >= threshold) {
                    need = Math.max(0, threshold - now);
                } else if (target <= -threshold) {
                    need = Math.min(0, -threshold - now);
                } else {
                    need = target - now;
                }
                change[r * intermediate + u] = need;
            }
        }

        // B = X P, (K, H), and the Gram matrix G = X P X^T, (K, K)
        double[] b = new double[k * hidden];
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < hidden; c++) {
                if (metric == null) {
                    b[r * hidden + c] = inputs[r * hidden + c];
                    continue;
                }
                double sum = 0;
                for (int d = 0; d < hidden; d++) {
                    sum += inputs[r * hidden + d] * metric[d * hidden + c];
                }
                b[r * hidden + c] = sum;
            }
        }
        double[] gram = new double[k * k];
        double trace = 0;
        for (int r = 0; r < k; r++) {
            for (int q = 0; q < k; q++) {
                double sum = 0;
                for (int c = 0; c < hidden; c++) {
                    sum += b[r * hidden + c] * inputs[q * hidden + c];
                }
                gram[r * k + q] = sum;
            }
            trace += gram[r * k + r];
        }
        // A small ridge keeps nearly parallel rows (a word repeated in the answer) from blowing the change up.
        for (int r = 0; r < k; r++) {
            gram[r * k + r] += LEAST_SQUARES_RIDGE * trace / Math.max(1, k);
        }

        // A = G^-1 R, (K, I), so that delta W = A^T B moves row i's pre-activations by R_i
        double[] a = Cholesky.solve(Cholesky.factor(gram, k), k, change, intermediate);
        float[] af = new float[k * intermediate];
        for (int n = 0; n < af.length; n++) {
            af[n] = (float) a[n];
        }
        float[] bf = new float[k * hidden];
        for (int n = 0; n < bf.length; n++) {
            bf[n] = (float) b[n];
        }
        return new Factors(k, intermediate, hidden, af, bf);
    }

    /** The least-squares rule's ridge on its Gram matrix, relative to the mean of the diagonal. */
    static final double LEAST_SQUARES_RIDGE = 1e-4;
}
