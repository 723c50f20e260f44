package dev.qf2.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.ForwardObserver;
import dev.qf2.model.KvCache;
import dev.qf2.model.Qwen2Model;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures the forward pass on a checkpoint: load time, prefill and decode throughput, peak RSS, and decode
 * speed against the limit set by memory bandwidth (a decode step reads every weight once, so it can run no
 * faster than the machine reads the weight bytes).
 */
public final class InferenceBenchmark {

    /**
     * The measurements.
     *
     * @param loadSeconds time to open, validate and map the weights
     * @param prefillTokensPerSecond median prompt tokens per second of one prefill
     * @param decodeTokensPerSecond median generated tokens per second, one token at a time with the KV cache
     * @param weightBytesPerToken float32 bytes of weights read per generated token, see {@link #weightBytesPerToken}
     * @param readBandwidth bytes per second at which the engine reads a large array, see
     *     {@link Machine#readBandwidth}
     * @param readProbeBytes the size of the array the read bandwidth was measured on
     * @param engineThreads the engine's intra-op threads, which both decode and the probe run on
     * @param float32WeightBytes all parameters in float32, a tied output head counted once
     * @param peakRssBytes the process's peak RSS after the runs, before the bandwidth probe
     */
    public record Result(double loadSeconds, double prefillTokensPerSecond, double decodeTokensPerSecond,
            long weightBytesPerToken, double readBandwidth, long readProbeBytes, int engineThreads,
            long float32WeightBytes, long peakRssBytes) {

        /** Decode tokens per second if the weights were read at the read bandwidth and nothing else took time. */
        public double decodeLimit() {
            return readBandwidth / weightBytesPerToken;
        }

        /** Measured decode speed as a fraction of {@link #decodeLimit()}. */
        public double fractionOfLimit() {
            return decodeTokensPerSecond / decodeLimit();
        }

        /** Peak RSS over the float32 weight bytes. */
        public double rssOverWeights() {
            return peakRssBytes / (double) float32WeightBytes;
        }
    }

    /**
     * How much to run.
     *
     * @param promptTokens prompt length of the prefill measurement
     * @param decodeTokens tokens generated per decode measurement
     * @param runs repetitions of each measurement; medians are reported
     * @param readProbeBytes size of the array the read bandwidth is measured on, far beyond the caches
     * @param seed the random prompts' seed
     */
    public record Settings(int promptTokens, int decodeTokens, int runs, long readProbeBytes, long seed) {}

    private InferenceBenchmark() {}

    /** Loads the model in {@code dir}, runs the measurements, and closes it. */
    public static Result run(ModelDirectory dir, Settings settings) {
        long start = System.nanoTime();
        try (Qwen2Model model = Qwen2Model.load(dir)) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            return measure(model, loadSeconds, settings);
        }
    }

    /** Measures an already loaded model. */
    public static Result measure(Qwen2Model model, double loadSeconds, Settings settings) {
        int vocab = model.config().vocabSize();
        SplittableRandom random = new SplittableRandom(settings.seed());
        int[] prompt = random.ints(settings.promptTokens(), 0, vocab).toArray();
        int[] shortPrompt = random.ints(16, 0, vocab).toArray();

        // One short pass first so that the weights are paged in before anything is timed.
        prefillSeconds(model, shortPrompt);

        double[] prefill = new double[settings.runs()];
        double[] decode = new double[settings.runs()];
        for (int r = 0; r < settings.runs(); r++) {
            prefill[r] = prompt.length / prefillSeconds(model, prompt);
            decode[r] = settings.decodeTokens() / decodeSeconds(model, shortPrompt, settings.decodeTokens());
        }
        // The peak is read before the bandwidth probe, whose own arrays would otherwise count.
        long peakRss = Machine.peakRssBytes();
        double bandwidth = Machine.readBandwidth(settings.readProbeBytes(), 5);
        return new Result(loadSeconds, Machine.median(prefill), Machine.median(decode), weightBytesPerToken(model),
                bandwidth, settings.readProbeBytes(), Machine.engineThreads(), float32WeightBytes(model), peakRss);
    }

    /** All parameters in float32 bytes; a tied output head is the embedding matrix and is counted once. */
    public static long float32WeightBytes(Qwen2Model model) {
        long bytes = 0;
        for (NDArray p : model.parameters().values()) {
            bytes += p.getShape().size() * Float.BYTES;
        }
        return bytes;
    }

    /**
     * Float32 bytes of weights one decode step reads, without a firing block: every parameter once, except that
     * the embedding lookup reads one row of the (V, H) embedding, not all of it. The output head is read whole
     * either way: its own (V, H) matrix when untied, the embedding matrix again when tied. So tied and untied
     * checkpoints of one shape read the same bytes per token although their weights differ by V * H floats.
     */
    public static long weightBytesPerToken(Qwen2Model model) {
        long embedding = model.parameters().get("model.embed_tokens.weight").getShape().size();
        long row = model.config().hiddenSize();
        long floats = float32WeightBytes(model) / Float.BYTES - embedding + row;
        if (!model.parameters().containsKey("lm_head.weight")) {
            floats += embedding;
        }
        return floats * Float.BYTES;
    }

    private static double prefillSeconds(Qwen2Model model, int[] prompt) {
        long start = System.nanoTime();
        try (NDManager out = model.manager().newSubManager();
                KvCache cache = model.newCache()) {
            NDArray logits = model.prefill(out, List.of(prompt), cache, ForwardObserver.NONE);
            logits.getFloat(0, 0);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double decodeSeconds(Qwen2Model model, int[] prompt, int tokens) {
        try (NDManager out = model.manager().newSubManager();
                KvCache cache = model.newCache()) {
            NDArray logits = model.prefill(out, List.of(prompt), cache, ForwardObserver.NONE);
            int next = (int) logits.argMax(1).toLongArray()[0];
            long start = System.nanoTime();
            for (int i = 0; i < tokens; i++) {
                try (NDManager step = out.newSubManager()) {
                    NDArray stepLogits = model.decode(step, new int[] {next}, cache, ForwardObserver.NONE);
                    next = (int) stepLogits.argMax(1).toLongArray()[0];
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
