package dev.qf2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The next-token cross-entropy of a causal language model: position t's logits are scored against token t + 1,
 * and the loss is the mean over the targets that count. With every target counted this is what Hugging Face's
 * {@code Qwen2ForCausalLM} computes when the labels are the input ids.
 */
public final class LanguageModelLoss {

    private LanguageModelLoss() {}

    /**
     * The mean loss over the counted targets of a batch.
     *
     * @param logits (B, T, V)
     * @param batch the token ids and target weights the logits were computed for
     * @return a scalar in the logits' manager, recorded for autograd when a gradient collector is open
     */
    public static NDArray mean(NDArray logits, TrainingBatch batch) {
        NDManager manager = logits.getManager();
        long b = logits.getShape().get(0);
        long t = logits.getShape().get(1);
        long v = logits.getShape().get(2);
        if (b != batch.size() || t != batch.length()) {
            throw new IllegalArgumentException("logits " + logits.getShape() + " for a batch of " + batch.size()
                    + " x " + batch.length());
        }

        // log-probabilities of every position but the last, against the next token: (B * (T - 1))
        NDArray predicting = logits.get(new NDIndex(":, :-1, :")).reshape(b * (t - 1), v);
        NDArray targets = manager.create(batch.targets(), new Shape(b * (t - 1), 1));
        NDArray picked = predicting.logSoftmax(1).gather(targets, 1).reshape(b * (t - 1));

        NDArray weights = manager.create(batch.weights(), new Shape(b * (t - 1)));
        return picked.mul(weights).sum().neg().div((float) batch.counted());
    }
}
