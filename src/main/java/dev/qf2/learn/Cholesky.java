package dev.qf2.learn;

/** Solves with symmetric positive definite matrices in double precision, row-major. */
final class Cholesky {

    private Cholesky() {}

    /**
     * The lower-triangular L with {@code L L^T = m}.
     *
     * @throws IllegalArgumentException if m is not positive definite
     */
    static double[] factor(double[] m, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = m[i * n + j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i * n + k] * l[j * n + k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        throw new IllegalArgumentException("the matrix is not positive definite (pivot " + sum
                                + " at " + i + ")");
                    }
                    l[i * n + i] = Math.sqrt(sum);
                } else {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }
        return l;
    }

    /** Solves {@code m X = rhs} for X, (n, columns), with the factor L of m; all columns at once, row by row. */
    static double[] solve(double[] l, int n, double[] rhs, int columns) {
        double[] x = rhs.clone();
        // forward: L Y = B
        for (int i = 0; i < n; i++) {
            int row = i * columns;
            for (int k = 0; k < i; k++) {
                double lik = l[i * n + k];
                if (lik != 0) {
                    int other = k * columns;
                    for (int c = 0; c < columns; c++) {
                        x[row + c] -= lik * x[other + c];
                    }
                }
            }
            double pivot = l[i * n + i];
            for (int c = 0; c < columns; c++) {
                x[row + c] /= pivot;
            }
        }
        // backward: L^T X = Y
        for (int i = n - 1; i >= 0; i--) {
            int row = i * columns;
            for (int k = i + 1; k < n; k++) {
                double lki = l[k * n + i];
                if (lki != 0) {
                    int other = k * columns;
                    for (int c = 0; c < columns; c++) {
                        x[row + c] -= lki * x[other + c];
                    }
                }
            }
            double pivot = l[i * n + i];
            for (int c = 0; c < columns; c++) {
                x[row + c] /= pivot;
            }
        }
        return x;
    }

    /** The inverse of a symmetric positive definite matrix. */
    static double[] inverse(double[] m, int n) {
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * n + i] = 1;
        }
        return solve(factor(m, n), n, identity, n);
    }
}
