package dev.qf2.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
 * @param predicted the token the model predicts greedily at each row, (T), or null when not asked for
 */
public record TeacherForcedRun(int[] promptIds, int rows, float[] blockInput, float[] preActivation,
        float[] firing, int[] predicted) {

    /** A run recorded without the model's predictions. */
    public TeacherForcedRun(int[] promptIds, int rows, float[] blockInput, float[] preActivation, float[] firing) {
        this(promptIds, rows, blockInput, preActivation, firing, null);
    }

    /**
     * Forces the model along {@code answer} after the plain prompt of {@code system} and
     * {@code question}, with the model's current weights and firing block.
     */
    public static TeacherForcedRun record(Qwen2Model model, Tokenizer tokenizer, String system, String question,
            AnswerTokens answer) {
        return record(model, tokenizer, system, question, answer, false);
    }

    /**
     * As {@link #record(Qwen2Model, Tokenizer, String, String, AnswerTokens)}; with {@code predict}, the same pass
     * runs on through the layers after the block and also records the greedy prediction at each row.
     */
    public static TeacherForcedRun record(Qwen2Model model, Tokenizer tokenizer, String system, String question,
            AnswerTokens answer, boolean predict) {
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
        if (!predict) {
            model.runToFiringBlock(sequence, observer);
            return new TeacherForcedRun(prompt, rows, captured[0], captured[1], captured[2]);
        }
        try (NDManager scratch = model.manager().newSubManager()) {
            NDArray logits = model.forward(scratch, sequence, observer);
            int[] predicted = logits.get("{}:, :", sequence.length - rows).argMax(1).toType(DataType.INT32, false)
                    .toIntArray();
            return new TeacherForcedRun(prompt, rows, captured[0], captured[1], captured[2], predicted);
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
