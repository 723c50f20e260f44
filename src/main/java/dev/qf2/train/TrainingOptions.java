package dev.qf2.train;

import dev.qf2.Qf2Exception;
import dev.qf2.model.FiringBlock;
import java.util.List;
import java.util.Locale;

/**
 * The settings of a training run: what trains, the blend that turns a stock block into a firing block, the
 * optimizer and the data order.
 *
 * @param layers the decoder layers whose parameters train (every parameter named {@code model.layers.N.*}); empty
 *     to train every parameter of the model, embeddings and final norm included
 * @param block the firing block that training converts a stock layer into, or null to train the stock model
 * @param coeff the blend's decay: at optimizer step t the stock path has weight {@code alpha = coeff^t}, set to
 *     0 once below 0.01, so step 0 is the stock model and later steps the firing block alone
 * @param lr the peak learning rate
 * @param schedule how the learning rate moves over the run
 * @param warmupSteps steps of linear warm-up from 0 before the schedule starts
 * @param steps optimizer steps in the run
 * @param batchSize rows per step
 * @param seed the seed of the data order
 * @param loss which targets the loss counts
 * @param maxGradNorm the bound of gradient clipping
 * @param maxLength tokens kept of each row
 * @param evalEvery steps between two measurements of the validation loss; 0 for none but the last
 * @param saveEvery steps between two saved checkpoints; the last step is always saved
 * @param adam the optimizer's moments and weight decay
 */
public record TrainingOptions(List<Integer> layers, FiringBlock block, double coeff, double lr, Schedule schedule,
        int warmupSteps, long steps, int batchSize, long seed, LossScope loss, double maxGradNorm, int maxLength,
        int evalEvery, int saveEvery, AdamW.Settings adam) {

    /** The weight below which the stock path is dropped altogether. */
    public static final double ALPHA_FLOOR = 0.01;

    /** How the learning rate changes from step to step after the warm-up. */
    public enum Schedule {
        /** The peak rate throughout, as the reference trains. */
        CONSTANT,
        /** Half a cosine from the peak rate down to a tenth of it at the last step. */
        COSINE;

        /** Parses {@code constant} or {@code cosine}. */
        public static Schedule parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "constant" -> CONSTANT;
                case "cosine" -> COSINE;
                default -> throw new Qf2Exception("unknown schedule '" + text + "': use constant or cosine");
            };
        }

        /** The name used on the command line. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TrainingOptions {
        layers = List.copyOf(layers);
        require(lr > 0 && Double.isFinite(lr), "the learning rate must be a positive number, got " + lr);
        require(coeff >= 0 && coeff <= 1, "the blend coefficient must be in [0, 1], got " + coeff);
        require(steps >= 1, "a run needs at least one step, got " + steps);
        require(batchSize >= 1, "the batch size must be at least 1, got " + batchSize);
        require(warmupSteps >= 0, "warm-up steps must be 0 or more, got " + warmupSteps);
        require(maxGradNorm > 0, "the gradient-norm bound must be positive, got " + maxGradNorm);
        require(maxLength >= 2, "rows need at least 2 tokens, got a maximum length of " + maxLength);
        require(evalEvery >= 0 && saveEvery >= 0, "--eval-every and --save-every must be 0 or more");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new Qf2Exception(message);
        }
    }

    /** Whether a parameter trains: it belongs to one of the layers, or every parameter trains. */
    public boolean trains(String parameter) {
        if (layers.isEmpty()) {
            return true;
        }
        for (int layer : layers) {
            if (parameter.startsWith("model.layers." + layer + ".")) {
                return true;
            }
        }
        return false;
    }

    /** The stock path's weight at optimizer step {@code step}; 0 when the run has no firing block. */
    public double alpha(long step) {
        if (block == null) {
            return 0;
        }
        double alpha = Math.pow(coeff, step);
        return alpha < ALPHA_FLOOR ? 0 : alpha;
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double learningRate(long step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        if (schedule == Schedule.CONSTANT || steps <= warmupSteps + 1) {
            return lr;
        }
        double progress = (double) (step - warmupSteps) / (steps - warmupSteps - 1);
        double floor = 0.1 * lr;
        return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** The same options with another number of steps, as when a finished run is extended. */
    public TrainingOptions withSteps(long newSteps) {
        return new TrainingOptions(layers, block, coeff, lr, schedule, warmupSteps, newSteps, batchSize, seed, loss,
                maxGradNorm, maxLength, evalEvery, saveEvery, adam);
    }
}
