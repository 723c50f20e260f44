package dev.qf2.learn;

import ai.djl.ndarray.NDArray;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.checkpoint.SafeTensorsWriter;
import dev.qf2.checkpoint.TensorData;
import dev.qf2.model.ForwardObserver;
import dev.qf2.model.Qwen2Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The second moment {@code C = E[h h^T]} of the firing block's input h over ordinary text, (H, H): the metric in
 * which the whitened rule makes its change smallest, so that inputs unlike the fact's move least.
 *
 * <p>Kept beside a checkpoint in {@value #FILE_NAME}, with the layer it was measured at.
 */
public final class FiringInputStatistics {

    /** The file name in a model directory. */
    public static final String FILE_NAME = "firing_input_statistics.safetensors";

    /** Ridge added to C before it is inverted, relative to the mean of its diagonal. */
    private static final double RIDGE = 1e-3;

    private final int layer;
    private final int hidden;
    private final long positions;
    private final double[] secondMoment; // (H, H)
    private double[] inverse;            // (H, H), computed on first use

    private FiringInputStatistics(int layer, int hidden, long positions, double[] secondMoment) {
        this.layer = layer;
        this.hidden = hidden;
        this.positions = positions;
        this.secondMoment = secondMoment;
    }

    /**
     * Measures C on every position of {@code sequences}, run through the model up to its firing block.
     *
     * @param sequences token ids, e.g. training rows of the model
     */
    public static FiringInputStatistics measure(Qwen2Model model, List<int[]> sequences) {
        if (model.firingBlock() == null) {
            throw new IllegalStateException("the model has no firing block");
        }
        int h = model.config().hiddenSize();
        double[] sum = new double[h * h];
        long[] count = new long[1];
        ForwardObserver observer = new ForwardObserver() {
            @Override
            public void firingInput(NDArray input) {
                float[] x = input.toFloatArray();
                int rows = x.length / h;
                for (int t = 0; t < rows; t++) {
                    int o = t * h;
                    for (int a = 0; a < h; a++) {
                        double xa = x[o + a];
                        int row = a * h;
                        for (int b = a; b < h; b++) {
                            sum[row + b] += xa * x[o + b];
                        }
                    }
                }
                count[0] += rows;
            }
        };
        for (int[] ids : sequences) {
            model.runToFiringBlock(ids, observer);
        }
        if (count[0] == 0) {
            throw new Qf2Exception("no positions to measure the firing input on: give rows with text");
        }
        for (int a = 0; a < h; a++) {
            for (int b = a; b < h; b++) {
                double mean = sum[a * h + b] / count[0];
                sum[a * h + b] = mean;
                sum[b * h + a] = mean;
            }
        }
        return new FiringInputStatistics(model.firingBlock().layer(), h, count[0], sum);
    }

    /** Reads the statistics kept in a model directory, if it has them. */
    public static java.util.Optional<FiringInputStatistics> find(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        return Files.isRegularFile(file) ? java.util.Optional.of(read(file)) : java.util.Optional.empty();
    }

    /**
     * Reads statistics from a file.
     *
     * @throws Qf2Exception if the file is not a statistics file
     */
    public static FiringInputStatistics read(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!f.tensors().containsKey("second_moment") || !meta.containsKey("layer")) {
                throw new Qf2Exception(file + " holds no firing-input statistics: measure them again with "
                        + "'qf2 statistics'");
            }
            long[] shape = f.info("second_moment").shape();
            return new FiringInputStatistics(Integer.parseInt(meta.get("layer")), (int) shape[0],
                    Long.parseLong(meta.getOrDefault("positions", "0")), f.readDoubles("second_moment"));
        } catch (NumberFormatException e) {
            throw new Qf2Exception(file + " has unreadable metadata (" + e.getMessage() + "): measure the "
                    + "statistics again with 'qf2 statistics'");
        }
    }

    /** Writes the statistics to a file, atomically. */
    public void write(Path file) {
        SafeTensorsWriter.write(file, Map.of("format", "pt", "layer", Integer.toString(layer), "positions",
                Long.toString(positions)), List.of(TensorData.ofDoubles("second_moment", new long[] {hidden, hidden},
                secondMoment)));
    }

    /** The layer whose block input was measured. */
    public int layer() {
        return layer;
    }

    /** H. */
    public int hidden() {
        return hidden;
    }

    /** How many positions the mean is over. */
    public long positions() {
        return positions;
    }

    /** C, (H, H) row-major; a copy. */
    public double[] secondMoment() {
        return secondMoment.clone();
    }

    /** {@code (C + ridge * I)^-1}, (H, H) row-major, with a small ridge that keeps it well conditioned. */
    public synchronized double[] inverse() {
        if (inverse == null) {
            double trace = 0;
            for (int a = 0; a < hidden; a++) {
                trace += secondMoment[a * hidden + a];
            }
            double[] regularised = secondMoment.clone();
            double ridge = RIDGE * trace / hidden;
            for (int a = 0; a < hidden; a++) {
                regularised[a * hidden + a] += ridge;
            }
            inverse = Cholesky.inverse(regularised, hidden);
        }
        return inverse;
    }
}
