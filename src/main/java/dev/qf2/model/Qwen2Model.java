package dev.qf2.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.Qwen2Config;
import dev.qf2.checkpoint.TensorInfo;
import dev.qf2.checkpoint.TensorStore;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Qwen2 causal language model in float32 on the PyTorch engine, with an optional firing block.
 *
 * <p>Weights are named as in the checkpoint. Float32 tensors are used straight from the memory-mapped
 * file (nothing is copied, and nothing ever writes into them); other dtypes are widened to float32
 * once at load. Every pass allocates its temporaries in a scratch {@link NDManager} that is closed
 * before it returns; results are attached to the manager the caller passes.
 *
 * <p>Shapes: B batch, T positions in the pass, S cached slots, H hidden size, I intermediate size,
 * V vocabulary, nh attention heads, KV key/value heads, hd head size.
 */
public final class Qwen2Model implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Qwen2Model.class);

    private final Qwen2Config config;
    private final NDManager manager;
    private final TensorStore store;
    private final Map<String, NDArray> parameters;
    private NDArray embedTokens; // (V, H)
    private NDArray lmHead;      // (V, H), the embedding matrix when tied
    private NDArray norm;        // (H)
    private final LayerWeights[] layers;
    private final float[] inverseFrequencies; // (hd / 2)
    private FiringBlock firingBlock;

    private Qwen2Model(Qwen2Config config, NDManager manager, TensorStore store, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.store = store;
        this.parameters = parameters;
        this.layers = new LayerWeights[config.numHiddenLayers()];
        bindParameters();
        int hd = config.headDim();
        this.inverseFrequencies = new float[hd / 2];
        for (int i = 0; i < hd / 2; i++) {
            // Computed as the reference does: float32 exponent, then 1 / theta^exponent.
            float exponent = (float) (2 * i) / hd;
            inverseFrequencies[i] = (float) (1.0 / Math.pow(config.ropeTheta(), exponent));
        }
    }

    /**
     * Loads the model in a checkpoint directory. The weights are checked against the config (names
     * and shapes) before anything is loaded. The model starts without a firing block.
     */
    public static Qwen2Model load(ModelDirectory dir) {
        long start = System.nanoTime();
        Qwen2Config config = dir.config();
        TensorStore store = dir.openWeights();
        NDManager manager = NDManager.newBaseManager();
        try {
            ModelDirectory.validateWeights(store, config);
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            long count = 0;
            for (Map.Entry<String, TensorInfo> e : store.tensors().entrySet()) {
                TensorInfo info = e.getValue();
                ByteBuffer data = store.readF32(e.getKey());
                NDArray array = manager.create(data, new Shape(info.shape()), DataType.FLOAT32);
                array.setName(e.getKey());
                parameters.put(e.getKey(), array);
                count += info.numel();
            }
            Qwen2Model model = new Qwen2Model(config, manager, store, parameters);
            LOG.info("model loaded: {} ({} parameters, float32) in {} s", dir.dir(), count,
                    String.format("%.2f", (System.nanoTime() - start) / 1e9));
            return model;
        } catch (RuntimeException e) {
            manager.close();
            store.close();
            throw e;
        }
    }

    /** Points the named fields at the current arrays of the parameter map. */
    private void bindParameters() {
        this.embedTokens = parameters.get("model.embed_tokens.weight");
        this.lmHead = parameters.getOrDefault("lm_head.weight", embedTokens);
        this.norm = parameters.get("model.norm.weight");
        for (int i = 0; i < layers.length; i++) {
            String[] names = LayerWeights.names(i);
            NDArray[] p = new NDArray[names.length];
            for (int j = 0; j < names.length; j++) {
                p[j] = parameters.get(names[j]);
            }
            layers[i] = LayerWeights.of(p);
        }
    }

    /**
     * Makes the named parameters trainable: each is replaced by a writable copy that records gradients.
     * The others stay frozen (and may remain read-only views of the checkpoint file).
     *
     * @return the trainable parameters by name, in checkpoint order
     */
    public Map<String, NDArray> makeTrainable(java.util.function.Predicate<String> names) {
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            if (!names.test(e.getKey())) {
                continue;
            }
            NDArray copy = e.getValue().duplicate();
            copy.attach(manager);
            copy.setName(e.getKey());
            copy.setRequiresGradient(true);
            e.getValue().close();
            e.setValue(copy);
            trainable.put(e.getKey(), copy);
        }
        bindParameters();
        return trainable;
    }

    /**
     * Logits of every position of a batch of sequences, left-padded to the longest, for training: the
     * computation is recorded for autograd when a gradient collector is open.
     *
     * @return (B, T, V) in {@code scratch}; row b's first {@code T - length_b} positions are padding
     */
    public NDArray trainingLogits(NDManager scratch, List<int[]> sequences) {
        int longest = 0;
        for (int[] s : sequences) {
            longest = Math.max(longest, s.length);
        }
        checkLength(longest);
        int[] padding = new int[sequences.size()];
        long[] ids = new long[sequences.size() * longest];
        for (int b = 0; b < sequences.size(); b++) {
            int[] s = sequences.get(b);
            padding[b] = longest - s.length;
            for (int t = 0; t < s.length; t++) {
                ids[b * longest + padding[b] + t] = s[t];
            }
        }
        try (KvCache cache = new KvCache(scratch, layers.length)) {
            cache.start(padding);
            NDArray hidden = decoder(scratch, ids, sequences.size(), longest, cache, ForwardObserver.NONE);
            return logits(hidden);
        }
    }

    /** The checkpoint's configuration. */
    public Qwen2Config config() {
        return config;
    }

    /** The manager that owns the parameters. */
    public NDManager manager() {
        return manager;
    }

    /** Every parameter by checkpoint name; a tied {@code lm_head} is not listed separately. */
    public Map<String, NDArray> parameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    /** The firing block in use, or null when every layer is the stock Qwen2 layer. */
    public FiringBlock firingBlock() {
        return firingBlock;
    }

    /** Sets the firing block, or null for the stock model. */
    public void setFiringBlock(FiringBlock block) {
        if (block != null && block.layer() >= layers.length) {
            throw new Qf2Exception("firing layer " + block.layer() + " does not exist: the model has "
                    + layers.length + " layers (0.." + (layers.length - 1) + "); choose another --qf-layer");
        }
        this.firingBlock = block;
    }

    /** {@code up_proj.weight} of layer {@code layer}, (I, H). */
    public NDArray upProj(int layer) {
        return layers[layer].upProj();
    }

    /**
     * Replaces {@code up_proj.weight} of layer {@code layer} with {@code weight} (I, H), which this
     * model then owns. The previous array is closed.
     */
    public void setUpProj(int layer, NDArray weight) {
        NDArray old = layers[layer].upProj();
        if (!old.getShape().equals(weight.getShape())) {
            throw new IllegalArgumentException("up_proj of layer " + layer + " has shape " + old.getShape()
                    + ", not " + weight.getShape());
        }
        String name = LayerWeights.names(layer)[10];
        weight.attach(manager);
        weight.setName(name);
        parameters.put(name, weight);
        layers[layer] = layers[layer].withUpProj(weight);
        old.close();
    }

    /** A new, empty cache for {@link #prefill}. */
    public KvCache newCache() {
        return new KvCache(manager, layers.length);
    }

    /**
     * Runs the prompts of a batch, left-padded to the longest, and fills the cache.
     *
     * @return logits of each prompt's last position, (B, V), attached to {@code out}
     */
    public NDArray prefill(NDManager out, List<int[]> prompts, KvCache cache, ForwardObserver observer) {
        int longest = 0;
        for (int[] p : prompts) {
            if (p.length == 0) {
                throw new IllegalArgumentException("a prompt has no tokens");
            }
            longest = Math.max(longest, p.length);
        }
        checkLength(longest);
        int[] padding = new int[prompts.size()];
        long[] ids = new long[prompts.size() * longest];
        for (int b = 0; b < prompts.size(); b++) {
            int[] p = prompts.get(b);
            padding[b] = longest - p.length;
            for (int t = 0; t < p.length; t++) {
                ids[b * longest + padding[b] + t] = p[t];
            }
        }
        cache.start(padding);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray hidden = decoder(scratch, ids, prompts.size(), longest, cache, observer);
            NDArray last = hidden.get(new NDIndex(":, -1, :"));
            return attachTo(out, logits(last));
        }
    }

    /**
     * Feeds one token per sequence and extends the cache.
     *
     * @param tokens (B) the next input token of each row
     * @return next-token logits, (B, V), attached to {@code out}
     */
    public NDArray decode(NDManager out, int[] tokens, KvCache cache, ForwardObserver observer) {
        if (tokens.length != cache.batchSize()) {
            throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + cache.batchSize());
        }
        checkLength(cache.length() + 1 - min(cache.padding()));
        long[] ids = new long[tokens.length];
        for (int b = 0; b < tokens.length; b++) {
            ids[b] = tokens[b];
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray hidden = decoder(scratch, ids, tokens.length, 1, cache, observer);
            NDArray last = hidden.get(new NDIndex(":, -1, :"));
            return attachTo(out, logits(last));
        }
    }

    /**
     * Runs one sequence without a cache and returns the logits of every position, (T, V), attached to
     * {@code out}.
     */
    public NDArray forward(NDManager out, int[] ids, ForwardObserver observer) {
        checkLength(ids.length);
        long[] longIds = new long[ids.length];
        for (int t = 0; t < ids.length; t++) {
            longIds[t] = ids[t];
        }
        try (NDManager scratch = manager.newSubManager();
                KvCache cache = newCache()) {
            cache.start(new int[1]);
            NDArray hidden = decoder(scratch, longIds, 1, ids.length, cache, observer);
            return attachTo(out, logits(hidden.get(0)));
        }
    }

    /**
     * Runs one sequence through the layers up to and including the firing block, for an observer that
     * records what the block sees; the layers after it and the logits are skipped.
     */
    public void runToFiringBlock(int[] ids, ForwardObserver observer) {
        if (firingBlock == null) {
            throw new IllegalStateException("the model has no firing block");
        }
        checkLength(ids.length);
        long[] longIds = new long[ids.length];
        for (int t = 0; t < ids.length; t++) {
            longIds[t] = ids[t];
        }
        try (NDManager scratch = manager.newSubManager();
                KvCache cache = newCache()) {
            cache.start(new int[1]);
            decoder(scratch, longIds, 1, ids.length, cache, observer, firingBlock.layer() + 1);
        }
    }

    NDArray decoder(NDManager scratch, long[] ids, int batch, int steps, KvCache cache, ForwardObserver observer) {
        return decoder(scratch, ids, batch, steps, cache, observer, layers.length);
    }

    /**
     * The decoder stack: embeddings, the first {@code depth} layers, the final norm. New keys and values
     * go into the cache.
     *
     * @param ids (B * T) token ids, row-major
     * @return final hidden states (B, T, H), in {@code scratch}; null when {@code depth} stops early
     */
    private NDArray decoder(NDManager scratch, long[] ids, int batch, int steps, KvCache cache,
            ForwardObserver observer, int depth) {
        checkVocabulary(ids);
        int past = cache.length();
        int slots = past + steps;
        NDArray tokenIds = scratch.create(ids, new Shape(batch, steps));
        NDArray x = tokenIds.getNDArrayInternal().embedding(tokenIds, embedTokens, SparseFormat.DENSE).head();
        if (observer.wantsLayerOutputs()) {
            observer.layerOutput(0, x);
        }

        NDArray[] rope = rotaryTables(scratch, cache.padding(), past, steps);
        NDArray mask = attentionMask(scratch, cache.padding(), past, steps);
        for (int i = 0; i < depth; i++) {
            // The layer's temporaries and its input are freed when it is done. Kept to the end of the pass,
            // every activation of every layer would be alive at once: for a 512-token prompt at Qwen2.5-1.5B's
            // sizes about 5 GiB, nearly as much as the weights.
            try (NDManager layerScratch = scratch.newSubManager()) {
                x.attach(layerScratch);
                x = layer(i, x, rope, mask, cache, observer);
                if (observer.wantsLayerOutputs()) {
                    observer.layerOutput(i + 1, x);
                }
                x.attach(scratch);
            }
        }
        if (depth < layers.length) {
            return null;
        }
        cache.advance(steps);
        NDArray hidden = rmsNorm(x, norm);
        observer.finalHidden(hidden);
        return hidden;
    }

    /** One decoder layer on the residual stream x (B, T, H). */
    private NDArray layer(int index, NDArray x, NDArray[] rope, NDArray mask, KvCache cache,
            ForwardObserver observer) {
        LayerWeights w = layers[index];
        long batch = x.getShape().get(0);
        long steps = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int hd = config.headDim();
        int groups = heads / kvHeads;

        // attention rmsnorm, then q/k/v projections split into heads: (B, nh|KV, T, hd)
        NDArray h = rmsNorm(x, w.inputLayernorm());
        NDArray q = linear(h, w.qProj(), w.qBias()).reshape(batch, steps, heads, hd).transpose(0, 2, 1, 3);
        NDArray k = linear(h, w.kProj(), w.kBias()).reshape(batch, steps, kvHeads, hd).transpose(0, 2, 1, 3);
        NDArray v = linear(h, w.vProj(), w.vBias()).reshape(batch, steps, kvHeads, hd).transpose(0, 2, 1, 3);

        // rotary position embedding in the half-split layout
        q = rotate(q, rope);
        k = rotate(k, rope);

        // append to the cache: (B, KV, S, hd)
        if (cache.keys(index) != null) {
            k = NDArrays.concat(new NDList(cache.keys(index), k), 2);
            v = NDArrays.concat(new NDList(cache.values(index), v), 2);
        }
        NDArray keys = k;
        NDArray values = v;
        cache.put(index, keys, values);
        long slots = keys.getShape().get(2);

        // grouped-query attention: query head n reads kv head n / groups, so the groups' queries are
        // stacked along the position axis and share one matmul per kv head: (B, KV, groups*T, hd)
        NDArray grouped = q.reshape(batch, kvHeads, groups * steps, hd);
        NDArray scores = grouped.matMul(keys.transpose(0, 1, 3, 2)).div((float) Math.sqrt(hd))
                .reshape(batch, heads, steps, slots)
                .add(mask);
        NDArray probs = scores.softmax(-1).reshape(batch, kvHeads, groups * steps, slots);
        NDArray attended = probs.matMul(values)
                .reshape(batch, heads, steps, hd)
                .transpose(0, 2, 1, 3)
                .reshape(batch, steps, (long) heads * hd);
        x = x.add(linear(attended, w.oProj(), null));

        // feed-forward: stock MLP, firing block, or a blend of both
        NDArray h2 = rmsNorm(x, w.postAttentionLayernorm());
        FiringBlock block = firingBlock;
        if (block == null || block.layer() != index) {
            return x.add(mlp(h2, w));
        }
        observer.firingInput(h2);
        NDArray up = linear(h2, w.upProj(), null);
        observer.firingPreActivation(up);
        NDArray firing = up.mul((float) block.beta()).getNDArrayInternal().sigmoid();
        observer.firing(firing);
        NDArray fired = linear(firing, w.downProj(), null);
        if (block.isPure()) {
            return fired;
        }
        float alpha = (float) block.alpha();
        // Evaluated in the reference's order: alpha * x + (alpha * mlp + (1 - alpha) * fired).
        NDArray mixed = mlp(h2, w).mul(alpha).add(fired.mul(1 - alpha));
        return x.mul(alpha).add(mixed);
    }

    /** The stock SiLU-gated MLP: down(silu(gate(h)) * up(h)). */
    private static NDArray mlp(NDArray h, LayerWeights w) {
        NDArray gate = linear(h, w.gateProj(), null);
        NDArray silu = gate.mul(gate.getNDArrayInternal().sigmoid());
        return linear(silu.mul(linear(h, w.upProj(), null)), w.downProj(), null);
    }

    /** Final-position logits: hidden (..., H) times the output embedding, (..., V). */
    private NDArray logits(NDArray hidden) {
        return linear(hidden, lmHead, null);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add((float) config.rmsNormEps()).sqrt()).mul(weight);
    }

    /** x W^T + b with the weight as stored, (out, in); the result lives with x. */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).head();
    }

    /** q * cos + rotate_half(q) * sin, with rotate_half(q) = cat(-q[hd/2:], q[:hd/2]). */
    private static NDArray rotate(NDArray q, NDArray[] rope) {
        long half = q.getShape().get(3) / 2;
        NDArray first = q.get(new NDIndex("..., :{}", half));
        NDArray second = q.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), 3);
        return q.mul(rope[0]).add(rotated.mul(rope[1]));
    }

    /**
     * cos and sin of every new position's rotary angles, each (B, 1, T, hd). Angles are float32
     * products of position and inverse frequency, as in the reference.
     */
    private NDArray[] rotaryTables(NDManager scratch, int[] padding, int past, int steps) {
        int hd = config.headDim();
        int batch = padding.length;
        float[] cos = new float[batch * steps * hd];
        float[] sin = new float[batch * steps * hd];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int position = Math.max(0, past + t - padding[b]);
                int base = (b * steps + t) * hd;
                for (int i = 0; i < hd / 2; i++) {
                    float angle = position * inverseFrequencies[i];
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    cos[base + i] = c;
                    cos[base + i + hd / 2] = c;
                    sin[base + i] = s;
                    sin[base + i + hd / 2] = s;
                }
            }
        }
        Shape shape = new Shape(batch, 1, steps, hd);
        return new NDArray[] {scratch.create(cos, shape), scratch.create(sin, shape)};
    }

    /**
     * Additive attention mask (B, 1, T, S): 0 where a new position may attend to a slot (causal and
     * not padding), the lowest float32 value elsewhere.
     */
    private static NDArray attentionMask(NDManager scratch, int[] padding, int past, int steps) {
        int batch = padding.length;
        int slots = past + steps;
        float[] mask = new float[batch * steps * slots];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int query = past + t;
                for (int s = 0; s < slots; s++) {
                    boolean visible = s <= query && s >= padding[b];
                    mask[(b * steps + t) * slots + s] = visible ? 0f : -Float.MAX_VALUE;
                }
            }
        }
        return scratch.create(mask, new Shape(batch, 1, steps, slots));
    }

    private static NDArray attachTo(NDManager out, NDArray array) {
        array.attach(out);
        return array;
    }

    /** Ids index the rows of the embedding: one beyond them comes from a tokenizer made for another model. */
    private void checkVocabulary(long[] ids) {
        long rows = embedTokens.getShape().get(0);
        for (long id : ids) {
            if (id < 0 || id >= rows) {
                throw new Qf2Exception("token id " + id + " is outside the model's vocabulary of " + rows
                        + " tokens (vocab_size in config.json): use the tokenizer that ships with this checkpoint");
            }
        }
    }

    private void checkLength(int positions) {
        if (positions > config.maxPositionEmbeddings()) {
            throw new Qf2Exception("the sequence has " + positions + " positions but the model supports at most "
                    + config.maxPositionEmbeddings() + " (max_position_embeddings): shorten the prompt or "
                    + "lower --max-new-tokens");
        }
    }

    private static int min(int[] values) {
        int m = Integer.MAX_VALUE;
        for (int v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    @Override
    public void close() {
        manager.close();
        store.close();
    }
}
