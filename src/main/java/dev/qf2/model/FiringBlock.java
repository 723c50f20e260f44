package dev.qf2.model;

/**
 * How the feed-forward block of one decoder layer is computed, when it is not the stock Qwen2 MLP.
 *
 * <p>With {@code h} the output of the layer's {@code post_attention_layernorm} and {@code x} the
 * residual stream after attention:
 *
 * <ul>
 *   <li>firing block ({@code alpha = 0}): the layer outputs {@code down_proj(sigmoid(beta * up_proj(h)))}.
 *       {@code gate_proj} is not used and neither residual reaches the output: every later layer reads
 *       the stream through the block.
 *   <li>blend ({@code 0 < alpha <= 1}, used while converting a stock block during training): the layer
 *       outputs {@code alpha * x + (alpha * mlp(h) + (1 - alpha) * firing(h))}, so {@code alpha = 1}
 *       is the stock layer.
 * </ul>
 *
 * @param layer 0-based index of the decoder layer that carries the block
 * @param beta steepness of the sigmoid; large values push the hidden units towards 0 or 1
 * @param alpha weight of the stock path, 0 for the pure firing block
 */
public record FiringBlock(int layer, double beta, double alpha) {

    /** The layer index the reference implementation hard-codes when a checkpoint names none. */
    public static final int DEFAULT_LAYER = 23;

    /** The beta the reference uses when learning and answering. */
    public static final double DEFAULT_BETA = 10.0;

    public FiringBlock {
        if (layer < 0) {
            throw new IllegalArgumentException("firing layer must be >= 0, got " + layer);
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a positive number, got " + beta);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
    }

    /** The pure firing block at {@code layer}. */
    public static FiringBlock at(int layer, double beta) {
        return new FiringBlock(layer, beta, 0.0);
    }

    /** The same block with another stock-path weight. */
    public FiringBlock withAlpha(double newAlpha) {
        return new FiringBlock(layer, beta, newAlpha);
    }

    /** True when the stock path takes no part. */
    public boolean isPure() {
        return alpha == 0.0;
    }
}
