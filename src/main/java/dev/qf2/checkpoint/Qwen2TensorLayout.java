package dev.qf2.checkpoint;

import dev.qf2.Qf2Exception;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a Qwen2ForCausalLM checkpoint must hold, with their shapes, named as in Hugging Face checkpoints.
 * H is hidden_size, I intermediate_size, V vocab_size, KV*hd the key/value width.
 */
public final class Qwen2TensorLayout {

    private Qwen2TensorLayout() {}

    /**
     * Every expected tensor and its shape, in the model's order: the embedding, per layer the attention and MLP
     * weights, the final norm, and lm_head.weight unless the embeddings are tied.
     */
    public static Map<String, long[]> expectedShapes(Qwen2Config config) {
        long hidden = config.hiddenSize();
        long intermediate = config.intermediateSize();
        long kvWidth = (long) config.numKeyValueHeads() * config.headDim();
        long vocab = config.vocabSize();

        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {vocab, hidden});
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String layer = "model.layers." + i + ".";
            shapes.put(layer + "input_layernorm.weight", new long[] {hidden});
            shapes.put(layer + "self_attn.q_proj.weight", new long[] {hidden, hidden});
            shapes.put(layer + "self_attn.q_proj.bias", new long[] {hidden});
            shapes.put(layer + "self_attn.k_proj.weight", new long[] {kvWidth, hidden});
            shapes.put(layer + "self_attn.k_proj.bias", new long[] {kvWidth});
            shapes.put(layer + "self_attn.v_proj.weight", new long[] {kvWidth, hidden});
            shapes.put(layer + "self_attn.v_proj.bias", new long[] {kvWidth});
            shapes.put(layer + "self_attn.o_proj.weight", new long[] {hidden, hidden});
            shapes.put(layer + "post_attention_layernorm.weight", new long[] {hidden});
            shapes.put(layer + "mlp.gate_proj.weight", new long[] {intermediate, hidden});
            shapes.put(layer + "mlp.up_proj.weight", new long[] {intermediate, hidden});
            shapes.put(layer + "mlp.down_proj.weight", new long[] {hidden, intermediate});
        }
        shapes.put("model.norm.weight", new long[] {hidden});
        if (!config.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new long[] {vocab, hidden});
        }
        return shapes;
    }

    /**
     * Checks that the store holds every expected tensor with the expected shape and a floating-point dtype.
     * Extra tensors are allowed.
     *
     * @throws Qf2Exception naming the tensor, the expected and actual shape, and the file
     */
    public static void validate(TensorStore store, Qwen2Config config) {
        for (Map.Entry<String, long[]> expected : expectedShapes(config).entrySet()) {
            String name = expected.getKey();
            TensorInfo info = store.tensors().get(name);
            if (info == null) {
                String hint = name.equals("lm_head.weight")
                        ? ": config.json says tie_word_embeddings is false, so lm_head.weight is required"
                        : ": the checkpoint is incomplete or not a Qwen2 model";
                throw new Qf2Exception("missing tensor " + name + " in " + store.path() + hint);
            }
            if (!Arrays.equals(info.shape(), expected.getValue())) {
                throw new Qf2Exception("tensor " + name + " in " + store.fileOf(name) + " has shape "
                        + Arrays.toString(info.shape()) + ", expected " + Arrays.toString(expected.getValue())
                        + " from config.json: the weights do not belong to this config");
            }
            if (!info.dtype().isFloating()) {
                throw new Qf2Exception("tensor " + name + " in " + store.fileOf(name) + " is " + info.dtype()
                        + ", not a floating-point type: the checkpoint is not a usable Qwen2 model");
            }
        }
    }
}
