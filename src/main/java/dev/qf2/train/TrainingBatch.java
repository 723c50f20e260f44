package dev.qf2.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Training rows of one step, left-padded to the longest as the model pads them, with the next-token target and
 * weight (1 counted, 0 not) of every position but the last.
 */
public final class TrainingBatch {

    private final List<int[]> sequences;
    private final int length;
    private final long[] targets;   // (B * (T - 1))
    private final float[] weights;  // (B * (T - 1))
    private final int counted;
    private final long tokens;

    /** Builds the batch of {@code examples}, counting the targets that {@code scope} selects. */
    public TrainingBatch(List<TrainingExample> examples, LossScope scope) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        int longest = 0;
        long total = 0;
        sequences = new ArrayList<>(examples.size());
        for (TrainingExample e : examples) {
            longest = Math.max(longest, e.length());
            total += e.length();
            sequences.add(e.ids());
        }
        this.length = longest;
        this.tokens = total;
        int positions = longest - 1;
        targets = new long[examples.size() * positions];
        weights = new float[examples.size() * positions];
        int count = 0;
        for (int b = 0; b < examples.size(); b++) {
            TrainingExample e = examples.get(b);
            int padding = longest - e.length();
            // position t of the padded row predicts padded token t + 1, which is row token t + 1 - padding
            for (int t = padding; t < positions; t++) {
                int target = t + 1 - padding;
                targets[b * positions + t] = e.ids()[target];
                boolean counts = scope == LossScope.ALL || target >= e.answerStart();
                if (counts) {
                    weights[b * positions + t] = 1f;
                    count++;
                }
            }
        }
        this.counted = count;
    }

    /** The rows' token ids, unpadded, in batch order. */
    public List<int[]> sequences() {
        return sequences;
    }

    /** B. */
    public int size() {
        return sequences.size();
    }

    /** T, the length of the longest row. */
    public int length() {
        return length;
    }

    /** The target id of every position but the last, (B * (T - 1)) row-major; 0 at padding. */
    public long[] targets() {
        return targets;
    }

    /** 1 for every counted target, 0 elsewhere, (B * (T - 1)). */
    public float[] weights() {
        return weights;
    }

    /** Number of counted targets. */
    public int counted() {
        return counted;
    }

    /** Number of real (unpadded) tokens. */
    public long tokens() {
        return tokens;
    }
}
