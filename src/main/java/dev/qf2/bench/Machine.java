package dev.qf2.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What a benchmark needs to know about the machine it runs on: memory bandwidth, peak RSS, a description. */
public final class Machine {

    private Machine() {}

    /**
     * The bandwidth of copying a large float32 array with the tensor engine (the same kernels and threads the
     * model uses), counting the bytes read and the bytes written, as STREAM does; the median of several copies.
     *
     * @param bytes the array size, well beyond the caches (1 GiB is plenty)
     * @return bytes per second
     */
    public static double copyBandwidth(long bytes, int repeats) {
        long elements = bytes / Float.BYTES;
        double[] rates = new double[repeats];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray source = manager.ones(new Shape(elements), DataType.FLOAT32);
            try (NDArray warm = source.duplicate()) {
                warm.getFloat(0);
            }
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                try (NDArray copy = source.duplicate()) {
                    copy.getFloat(elements - 1);
                    rates[i] = 2.0 * elements * Float.BYTES / ((System.nanoTime() - start) / 1e9);
                }
            }
        }
        return median(rates);
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
