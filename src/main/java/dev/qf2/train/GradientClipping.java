package dev.qf2.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/** Scales gradients so that their joint L2 norm stays within a bound, as PyTorch's {@code clip_grad_norm_}. */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Multiplies every gradient in place by {@code min(1, maxNorm / (total + 1e-6))}, where total is the L2 norm
     * of all gradients taken together. The factor is applied even when it is 1, as PyTorch does.
     *
     * @param gradients the gradients of every trained parameter
     * @param maxNorm the bound; {@code Double.POSITIVE_INFINITY} measures without clipping
     * @return the total norm before clipping
     */
    public static double clip(Collection<NDArray> gradients, double maxNorm) {
        double total = totalNorm(gradients);
        double factor = Math.min(1.0, maxNorm / (total + 1e-6));
        if (Double.isFinite(maxNorm)) {
            for (NDArray g : gradients) {
                g.muli((float) factor);
            }
        }
        return total;
    }

    /** The L2 norm of all gradients taken together: the norm of their per-tensor norms. */
    public static double totalNorm(Collection<NDArray> gradients) {
        float sum = 0;
        for (NDArray g : gradients) {
            try (NDArray norm = g.norm()) {
                float n = norm.getFloat();
                sum += n * n;
            }
        }
        return Math.sqrt(sum);
    }
}
