package dev.qf2.store;

/**
 * A rank-T weight update in factored form: {@code delta W = A^T B}, so that only T rows of each factor
 * are kept per fact and never a full weight matrix.
 *
 * @param rows T, the number of answer rows that take part (rows of weight 0 are left out)
 * @param intermediate I, rows of {@code up_proj}
 * @param hidden H, columns of {@code up_proj}
 * @param a (T, I) row-major: per row, the change wanted in the block's pre-activations, scaled
 * @param b (T, H) row-major: per row, the block input the change responds to
 */
public record Factors(int rows, int intermediate, int hidden, float[] a, float[] b) {

    public Factors {
        if (a.length != (long) rows * intermediate || b.length != (long) rows * hidden) {
            throw new IllegalArgumentException("factor sizes " + a.length + ", " + b.length + " do not match "
                    + rows + " rows of " + intermediate + " and " + hidden);
        }
    }

    /**
     * Adds {@code sign * A^T B} to a weight (I, H) in place, accumulating each element in double and
     * rounding once to float.
     */
    public void addTo(float[] weight, int sign) {
        if (weight.length != (long) intermediate * hidden) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, expected "
                    + (long) intermediate * hidden);
        }
        double[] row = new double[hidden];
        for (int i = 0; i < intermediate; i++) {
            int offset = i * hidden;
            for (int c = 0; c < hidden; c++) {
                row[c] = weight[offset + c];
            }
            for (int t = 0; t < rows; t++) {
                double ai = sign * (double) a[t * intermediate + i];
                if (ai == 0) {
                    continue;
                }
                int bOffset = t * hidden;
                for (int c = 0; c < hidden; c++) {
                    row[c] += ai * b[bOffset + c];
                }
            }
            for (int c = 0; c < hidden; c++) {
                weight[offset + c] = (float) row[c];
            }
        }
    }
}
