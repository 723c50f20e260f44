package dev.qf2.learn;

import ai.djl.ndarray.NDArray;
import dev.qf2.model.ForwardObserver;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.AnswerTokens;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.Tokenizer;
import java.util.Arrays;

/**
 * What the firing block saw while the model was forced along an answer after a prompt.
 *
 * <p>Row i belongs to the position whose input is answer token i and which predicts answer token i + 1,
 * so there are T = (answer tokens - 1) rows; the position that predicts the first answer token lies in
 * the prompt and is never recorded. One full forward pass over prompt + answer tokens 0..T-1 gives
 * every row at once; it equals what step-by-step decoding with a cache computes.
 *
 * @param promptIds the prompt as tokenized
 * @param rows T
 * @param blockInput h, the firing block's input at each row, (T, H) row-major
 * @param preActivation up_proj(h) at each row, before the factor beta, (T, I) row-major
 * @param firing sigmoid(beta * up_proj(h)) at each row, (T, I) row-major
 */
public record TeacherForcedRun(int[] promptIds, int rows, float[] blockInput, float[] preActivation,
        float[] firing) {

    /**
     * Forces the model along {@code answer} after the plain prompt of {@code system} and
     * {@code question}, with the model's current weights and firing block.
     */
    public static TeacherForcedRun record(Qwen2Model model, Tokenizer tokenizer, String system, String question,
            AnswerTokens answer) {
        if (model.firingBlock() == null) {
            throw new IllegalStateException("the model has no firing block to record");
        }
        int[] prompt = tokenizer.encode(PlainPrompt.render(system, question));
        int rows = answer.rows();
        int[] sequence = Arrays.copyOf(prompt, prompt.length + rows);
        System.arraycopy(answer.ids(), 0, sequence, prompt.length, rows);

        float[][] captured = new float[3][];
        ForwardObserver observer = new ForwardObserver() {
            @Override
            public void firingInput(NDArray h) {
                captured[0] = lastRows(h, rows);
            }

            @Override
            public void firingPreActivation(NDArray up) {
                captured[1] = lastRows(up, rows);
            }

            @Override
            public void firing(NDArray y) {
                captured[2] = lastRows(y, rows);
            }
        };
        model.runToFiringBlock(sequence, observer);
        return new TeacherForcedRun(prompt, rows, captured[0], captured[1], captured[2]);
    }

    /**
     * The token the model predicts greedily at each row of {@code answer} after the plain prompt of {@code system}
     * and {@code question}, with its current weights: (T), to compare with {@link AnswerTokens#rowTargetIds()}.
     */
    public static int[] predictions(Qwen2Model model, Tokenizer tokenizer, String system, String question,
            AnswerTokens answer) {
        int[] prompt = tokenizer.encode(PlainPrompt.render(system, question));
        int rows = answer.rows();
        int[] sequence = Arrays.copyOf(prompt, prompt.length + rows);
        System.arraycopy(answer.ids(), 0, sequence, prompt.length, rows);
        try (ai.djl.ndarray.NDManager scratch = model.manager().newSubManager()) {
            NDArray logits = model.forward(scratch, sequence, ForwardObserver.NONE);
            long positions = logits.getShape().get(0);
            long[] best = logits.get("{}:, :", positions - rows).argMax(1).toLongArray();
            int[] out = new int[rows];
            for (int i = 0; i < rows; i++) {
                out[i] = Math.toIntExact(best[i]);
            }
            return out;
        }
    }

    /** The last {@code rows} positions of a (1, T, D) array, row-major. */
    private static float[] lastRows(NDArray x, int rows) {
        long positions = x.getShape().get(1);
        try (NDArray tail = x.get("0, {}:, :", positions - rows)) {
            return tail.toFloatArray();
        }
    }
}
