package dev.qf2.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The rows of every step of a run, as a pure function of the step: the examples are taken in a fresh seeded
 * permutation each epoch, batch after batch, a batch running on into the next epoch where one ends. A run
 * resumed at step k therefore sees exactly the rows it would have seen without the interruption.
 */
final class BatchOrder {

    private final List<TrainingExample> examples;
    private final int batchSize;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] permutation;

    BatchOrder(List<TrainingExample> examples, int batchSize, long seed) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training rows");
        }
        this.examples = examples;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** The rows of optimizer step {@code step}. */
    List<TrainingExample> batch(long step) {
        List<TrainingExample> batch = new ArrayList<>(batchSize);
        long first = step * batchSize;
        for (long position = first; position < first + batchSize; position++) {
            long epoch = position / examples.size();
            batch.add(examples.get(permutation(epoch)[(int) (position % examples.size())]));
        }
        return batch;
    }

    /** The epoch that step {@code step} begins in, counting from 0. */
    long epochOf(long step) {
        return step * batchSize / examples.size();
    }

    private int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int n = examples.size();
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            permutation = order;
            cachedEpoch = epoch;
        }
        return permutation;
    }
}
