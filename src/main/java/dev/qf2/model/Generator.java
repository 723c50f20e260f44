package dev.qf2.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Autoregressive decoding with a KV cache: greedy or sampled, with the logits processing that
 * Hugging Face transformers applies (repetition penalty, then temperature, top-k and top-p).
 */
public final class Generator {

    /**
     * Decoding settings.
     *
     * @param maxNewTokens the most tokens generated per sequence
     * @param stopIds generation of a sequence ends after it produces one of these (it is kept in the output)
     * @param repetitionPenalty divides positive and multiplies negative logits of every token already in
     *     the sequence, prompt included; 1 disables it
     * @param sample draw from the distribution instead of taking the most likely token
     * @param temperature divides the logits before sampling
     * @param topK keep only the k most likely tokens when sampling; 0 keeps all
     * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
     * @param seed seed of the sampler
     */
    public record Settings(int maxNewTokens, Set<Integer> stopIds, double repetitionPenalty, boolean sample,
            double temperature, int topK, double topP, long seed) {

        public Settings {
            if (maxNewTokens < 0) {
                throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
            }
            if (!(repetitionPenalty > 0)) {
                throw new IllegalArgumentException("repetition penalty must be > 0, got " + repetitionPenalty);
            }
            if (sample && !(temperature > 0)) {
                throw new IllegalArgumentException("temperature must be > 0 when sampling, got " + temperature);
            }
            stopIds = Set.copyOf(stopIds);
        }

        /** Greedy decoding with no repetition penalty. */
        public static Settings greedy(int maxNewTokens, Set<Integer> stopIds) {
            return new Settings(maxNewTokens, stopIds, 1.0, false, 1.0, 0, 1.0, 0L);
        }

        /** The same settings with another repetition penalty. */
        public Settings withRepetitionPenalty(double penalty) {
            return new Settings(maxNewTokens, stopIds, penalty, sample, temperature, topK, topP, seed);
        }
    }

    /** Receives each generated token of sequence {@code row} as soon as it is chosen. */
    @FunctionalInterface
    public interface TokenListener {
        /** Called once per generated token. */
        void onToken(int row, int tokenId);

        /** A listener that ignores everything. */
        TokenListener NONE = (row, id) -> {};
    }

    /**
     * The outcome for one prompt.
     *
     * @param promptIds the prompt as fed
     * @param generatedIds the generated tokens, the stop token included when one was produced
     * @param stopped whether a stop id ended the sequence (otherwise max new tokens did)
     */
    public record Result(int[] promptIds, int[] generatedIds, boolean stopped) {}

    private final Qwen2Model model;

    /** A generator over {@code model}, using whatever firing block the model has at each call. */
    public Generator(Qwen2Model model) {
        this.model = model;
    }

    /** Generates a continuation of one prompt. */
    public Result generate(int[] prompt, Settings settings, TokenListener listener) {
        return generate(List.of(prompt), settings, listener).get(0);
    }

    /**
     * Generates continuations of several prompts in one batch (left-padded prefill, then one token per
     * sequence per step until every sequence has stopped).
     */
    public List<Result> generate(List<int[]> prompts, Settings settings, TokenListener listener) {
        int batch = prompts.size();
        List<List<Integer>> generated = new ArrayList<>();
        boolean[] done = new boolean[batch];
        boolean[] stopped = new boolean[batch];
        Random random = new Random(settings.seed());
        for (int b = 0; b < batch; b++) {
            generated.add(new ArrayList<>());
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        // every sequence shares the padded length: the last generated token must still fit the model's positions
        int room = model.config().maxPositionEmbeddings() - longest;
        if (settings.maxNewTokens() > 0) {
            try (NDManager steps = model.manager().newSubManager();
                    KvCache cache = model.newCache()) {
                NDArray logits = model.prefill(steps, prompts, cache, ForwardObserver.NONE);
                for (int n = 0; ; n++) {
                    float[] all = logits.toFloatArray();
                    logits.close();
                    int vocab = all.length / batch;
                    int[] next = new int[batch];
                    for (int b = 0; b < batch; b++) {
                        if (done[b]) {
                            next[b] = generated.get(b).get(generated.get(b).size() - 1);
                            continue;
                        }
                        float[] row = Arrays.copyOfRange(all, b * vocab, (b + 1) * vocab);
                        next[b] = choose(row, prompts.get(b), generated.get(b), settings, random);
                        generated.get(b).add(next[b]);
                        listener.onToken(b, next[b]);
                        if (settings.stopIds().contains(next[b])) {
                            done[b] = true;
                            stopped[b] = true;
                        } else if (generated.get(b).size() >= Math.min(settings.maxNewTokens(), room)) {
                            done[b] = true;
                        }
                    }
                    if (allTrue(done)) {
                        break;
                    }
                    logits = model.decode(steps, next, cache, ForwardObserver.NONE);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] ids = generated.get(b).stream().mapToInt(Integer::intValue).toArray();
            results.add(new Result(prompts.get(b).clone(), ids, stopped[b]));
        }
        return results;
    }

    /** Applies the logits processors to one row and picks the next token. */
    static int choose(float[] logits, int[] prompt, List<Integer> generated, Settings s, Random random) {
        if (s.repetitionPenalty() != 1.0) {
            applyRepetitionPenalty(logits, prompt, generated, (float) s.repetitionPenalty());
        }
        if (!s.sample()) {
            return argMax(logits);
        }
        return sample(logits, s, random);
    }

    /** As transformers does: each distinct token seen so far has its logit divided (>0) or multiplied (<0). */
    static void applyRepetitionPenalty(float[] logits, int[] prompt, List<Integer> generated, float penalty) {
        boolean[] seen = new boolean[logits.length];
        for (int id : prompt) {
            seen[id] = true;
        }
        for (int id : generated) {
            seen[id] = true;
        }
        for (int id = 0; id < logits.length; id++) {
            if (seen[id]) {
                logits[id] = logits[id] < 0 ? logits[id] * penalty : logits[id] / penalty;
            }
        }
    }

    /** Index of the largest value; the first one on ties, as torch.argmax. */
    static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int sample(float[] logits, Settings s, Random random) {
        int vocab = logits.length;
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
            logits[i] = (float) (logits[i] / s.temperature());
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = s.topK() > 0 ? Math.min(s.topK(), vocab) : vocab;

        // softmax over the kept candidates, most likely first
        double max = logits[order[0]];
        double[] p = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] - max);
            total += p[i];
        }
        if (s.topP() < 1.0) {
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / total;
                if (cumulative >= s.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += p[i];
            }
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean v : values) {
            if (!v) {
                return false;
            }
        }
        return true;
    }
}
