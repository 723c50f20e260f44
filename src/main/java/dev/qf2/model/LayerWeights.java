package dev.qf2.model;

import ai.djl.ndarray.NDArray;

/**
 * The parameters of one Qwen2 decoder layer, named as in the checkpoint ({@code model.layers.N.*}).
 * H is the hidden size, I the intermediate size, KV the number of key/value heads, hd the head size.
 *
 * @param inputLayernorm {@code input_layernorm.weight}, (H)
 * @param qProj {@code self_attn.q_proj.weight}, (H, H)
 * @param qBias {@code self_attn.q_proj.bias}, (H)
 * @param kProj {@code self_attn.k_proj.weight}, (KV*hd, H)
 * @param kBias {@code self_attn.k_proj.bias}, (KV*hd)
 * @param vProj {@code self_attn.v_proj.weight}, (KV*hd, H)
 * @param vBias {@code self_attn.v_proj.bias}, (KV*hd)
 * @param oProj {@code self_attn.o_proj.weight}, (H, H), no bias
 * @param postAttentionLayernorm {@code post_attention_layernorm.weight}, (H)
 * @param gateProj {@code mlp.gate_proj.weight}, (I, H)
 * @param upProj {@code mlp.up_proj.weight}, (I, H)
 * @param downProj {@code mlp.down_proj.weight}, (H, I)
 */
public record LayerWeights(
        NDArray inputLayernorm,
        NDArray qProj,
        NDArray qBias,
        NDArray kProj,
        NDArray kBias,
        NDArray vProj,
        NDArray vBias,
        NDArray oProj,
        NDArray postAttentionLayernorm,
        NDArray gateProj,
        NDArray upProj,
        NDArray downProj) {

    /** Checkpoint names of the parameters of layer {@code index}, in the order of the record components. */
    public static String[] names(int index) {
        String p = "model.layers." + index + ".";
        return new String[] {
            p + "input_layernorm.weight",
            p + "self_attn.q_proj.weight",
            p + "self_attn.q_proj.bias",
            p + "self_attn.k_proj.weight",
            p + "self_attn.k_proj.bias",
            p + "self_attn.v_proj.weight",
            p + "self_attn.v_proj.bias",
            p + "self_attn.o_proj.weight",
            p + "post_attention_layernorm.weight",
            p + "mlp.gate_proj.weight",
            p + "mlp.up_proj.weight",
            p + "mlp.down_proj.weight",
        };
    }

    /** Builds the record from parameters given in the order of {@link #names(int)}. */
    static LayerWeights of(NDArray[] p) {
        return new LayerWeights(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]);
    }

    /** A copy of this record with another {@code up_proj}. */
    LayerWeights withUpProj(NDArray newUpProj) {
        return new LayerWeights(inputLayernorm, qProj, qBias, kProj, kBias, vProj, vBias, oProj,
                postAttentionLayernorm, gateProj, newUpProj, downProj);
    }
}
