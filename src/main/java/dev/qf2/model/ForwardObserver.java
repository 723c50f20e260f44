package dev.qf2.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees intermediate tensors of a forward pass, to record them or compare them with a reference.
 *
 * <p>The arrays belong to the pass's scratch memory and are closed when the pass returns: an observer
 * that keeps data copies it out (for example with {@link NDArray#toFloatArray()}). B is the batch
 * size, T the number of positions in this pass, H the hidden size, I the intermediate size.
 */
public interface ForwardObserver {

    /** An observer that looks at nothing. */
    ForwardObserver NONE = new ForwardObserver() {};

    /**
     * The residual stream after a layer, (B, T, H). {@code index} 0 is the embedding output and
     * {@code index i} the output of decoder layer {@code i - 1}.
     */
    default void layerOutput(int index, NDArray x) {}

    /** The input of the firing block, the layer's {@code post_attention_layernorm} output h, (B, T, H). */
    default void firingInput(NDArray h) {}

    /** The pre-activation {@code up_proj(h)} of the firing block, (B, T, I). */
    default void firingPreActivation(NDArray up) {}

    /** The firing pattern {@code sigmoid(beta * up_proj(h))}, (B, T, I). */
    default void firing(NDArray y) {}

    /** The output of the final norm, (B, T, H). */
    default void finalHidden(NDArray x) {}

    /** Whether {@link #layerOutput} should be called; skipping it saves work on long runs. */
    default boolean wantsLayerOutputs() {
        return false;
    }
}
