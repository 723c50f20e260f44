package dev.qf2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, step for step as PyTorch's single-tensor implementation computes it:
 *
 * <pre>
 * p = p * (1 - lr * weight_decay)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * <p>The moments live in the optimizer's own manager, one pair per parameter, shaped like the parameter.
 * Parameters are updated in place; call {@link #step} outside gradient recording.
 */
public final class AdamW implements AutoCloseable {

    /**
     * The optimizer's settings.
     *
     * @param beta1 decay of the first moment, 0.9 in PyTorch
     * @param beta2 decay of the second moment, 0.999 in PyTorch
     * @param eps added to the denominator, 1e-8 in PyTorch
     * @param weightDecay decoupled weight decay; 0 leaves the parameters' scale alone
     */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {

        /** PyTorch's defaults with no weight decay, as the reference trains. */
        public static final Settings DEFAULT = new Settings(0.9, 0.999, 1e-8, 0.0);
    }

    private final Settings settings;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long steps;

    /** An optimizer with fresh (zero) moments for every parameter. */
    public AdamW(Settings settings, NDManager parent, Map<String, NDArray> parameters) {
        this.settings = settings;
        this.manager = parent.newSubManager();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            firstMoments.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            secondMoments.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    /** The optimizer steps taken so far, t in the bias corrections. */
    public long steps() {
        return steps;
    }

    /** The first moment of each parameter, by name; the optimizer owns the arrays. */
    public Map<String, NDArray> firstMoments() {
        return java.util.Collections.unmodifiableMap(firstMoments);
    }

    /** The second moment of each parameter, by name; the optimizer owns the arrays. */
    public Map<String, NDArray> secondMoments() {
        return java.util.Collections.unmodifiableMap(secondMoments);
    }

    /**
     * Restores the state of a saved run: the step count and both moments of every parameter.
     *
     * @param first values of the first moments, row-major, by parameter name
     * @param second values of the second moments, likewise
     */
    public void restore(long steps, Map<String, float[]> first, Map<String, float[]> second) {
        for (String name : firstMoments.keySet()) {
            float[] m = first.get(name);
            float[] v = second.get(name);
            if (m == null || v == null) {
                throw new IllegalArgumentException("no saved moments for " + name);
            }
            assign(firstMoments.get(name), m);
            assign(secondMoments.get(name), v);
        }
        this.steps = steps;
    }

    /**
     * Overwrites every element of {@code target} with {@code values}, row-major, in place: the array keeps its
     * identity (and any gradient recording) as the optimizer and the model hold it.
     */
    static void assign(NDArray target, float[] values) {
        try (NDArray source = target.getManager().create(values, target.getShape())) {
            target.set(new NDIndex(":"), source);
        }
    }

    /**
     * Takes one step on every parameter with its current gradient.
     *
     * @param parameters the parameters given at construction, by name
     * @param gradients their gradients, by name, already clipped
     * @param lr the learning rate of this step
     */
    public void step(Map<String, NDArray> parameters, Map<String, NDArray> gradients, double lr) {
        steps++;
        double correction1 = 1 - Math.pow(settings.beta1(), steps);
        double correction2Root = Math.sqrt(1 - Math.pow(settings.beta2(), steps));
        float stepSize = (float) (lr / correction1);
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = gradients.get(e.getKey());
            NDArray m = firstMoments.get(e.getKey());
            NDArray v = secondMoments.get(e.getKey());
            if (settings.weightDecay() != 0) {
                p.muli((float) (1 - lr * settings.weightDecay()));
            }
            // Each temporary is closed at once: results of an operation belong to its first operand's manager.
            try (NDArray scaled = g.mul((float) (1 - settings.beta1()))) {
                m.muli((float) settings.beta1()).addi(scaled);
            }
            try (NDArray squared = g.mul((float) (1 - settings.beta2()))) {
                squared.muli(g);
                v.muli((float) settings.beta2()).addi(squared);
            }
            try (NDArray denominator = v.sqrt();
                    NDArray update = m.mul(stepSize)) {
                denominator.divi((float) correction2Root).addi((float) settings.eps());
                p.subi(update.divi(denominator));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
