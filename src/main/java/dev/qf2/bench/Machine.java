package dev.qf2.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What a benchmark needs to know about the machine it runs on: memory bandwidth, peak RSS, a description. */
public final class Machine {

    private Machine() {}

    /**
     * The bandwidth at which the tensor engine reads a large float32 array in memory: the median over several
     * sums of the whole array, each run on the engine's intra-op threads (the ones the model's matrix products
     * use). Only the bytes read are counted, as a decode step counts the weight bytes it reads; the sum writes
     * nothing but its one-element result, so neither stores nor page faults on fresh memory enter the figure.
     *
     * @param bytes the array size, far beyond the caches (1 GiB or more)
     * @param repeats how many timed sums, after one untimed
     * @return bytes per second
     */
    public static double readBandwidth(long bytes, int repeats) {
        long elements = bytes / Float.BYTES;
        double[] rates = new double[repeats];
        try (NDManager manager = NDManager.newBaseManager()) {
            // Ones rather than zeros: every page is written, so the sums read real memory.
            NDArray source = manager.ones(new Shape(elements), DataType.FLOAT32);
            try (NDArray warm = source.sum()) {
                warm.getFloat();
            }
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                try (NDArray sum = source.sum()) {
                    sum.getFloat();
                    rates[i] = elements * (double) Float.BYTES / ((System.nanoTime() - start) / 1e9);
                }
            }
        }
        return median(rates);
    }

    /** The number of intra-op threads the tensor engine runs an operation on. */
    public static int engineThreads() {
        return JniUtils.getNumThreads();
    }

    /** The process's peak resident set size in bytes (VmHWM), or -1 where the OS does not report it. */
    public static long peakRssBytes() {
        return statusField("VmHWM:");
    }

    /** The process's current resident set size in bytes (VmRSS), or -1 where the OS does not report it. */
    public static long rssBytes() {
        return statusField("VmRSS:");
    }

    /** A one-line description: CPU model, cores, memory. */
    public static String describe() {
        String cpu = "unknown CPU";
        long memory = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memory = kilobytes(line) * 1024;
                }
            }
        } catch (IOException e) {
            // Not Linux: the description stays generic.
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores"
                + (memory > 0 ? String.format(", %.0f GiB", memory / (double) (1L << 30)) : "");
    }

    /** The median of the values. */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static long statusField(String field) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith(field)) {
                    return kilobytes(line) * 1024;
                }
            }
        } catch (IOException e) {
            // Not Linux.
        }
        return -1;
    }

    private static long kilobytes(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]);
    }
}
