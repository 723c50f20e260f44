package dev.qf2.testing;

/** Comparisons of float arrays for tests. */
public final class FloatArrays {

    private FloatArrays() {}

    /**
     * The largest absolute difference between two arrays of the same length.
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double maxAbsDifference(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("lengths differ: " + actual.length + " and " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        return max;
    }
}
