package dev.qf2.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import dev.qf2.checkpoint.ModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a byte-level BPE tokenizer that splits text as Qwen2's does and writes it as a Hugging Face
 * {@code tokenizer.json} with its {@code tokenizer_config.json}.
 *
 * <p>The texts are split by the {@link PreTokenizer} into pieces (words), each piece a sequence of bytes. Starting
 * from the 256 bytes, training repeatedly merges the adjacent pair of tokens that occurs most often over all words,
 * ties going to the pair whose tokens come first in string order, until the requested number of merges is made or
 * no pair occurs {@code minFrequency} times. Only the words that hold the merged pair are recounted, so a merge
 * costs time in proportion to those words, not to the corpus. Required tokens that the frequent merges did not
 * make get the merges that build them at the end, and the special tokens follow the vocabulary. The same texts and
 * settings always give byte-identical files.
 */
public final class BpeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BpeTrainer.class);

    /** Qwen2's end-of-text token, which also pads. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** Qwen2's token that opens a chat turn. */
    public static final String IM_START = "<|im_start|>";

    /** Qwen2's token that closes a chat turn, the end of a generated answer. */
    public static final String IM_END = "<|im_end|>";

    /** The special tokens, in the order of their ids after the vocabulary. */
    public static final List<String> SPECIAL_TOKENS = List.of(END_OF_TEXT, IM_START, IM_END);

    /** The {@code model_max_length} written to {@code tokenizer_config.json}, Qwen2's. */
    public static final int MODEL_MAX_LENGTH = 32768;

    /** Pairs rarer than this are not merged unless settings say otherwise. */
    public static final int DEFAULT_MIN_FREQUENCY = 2;

    private BpeTrainer() {}

    /**
     * What to train.
     *
     * @param merges the most merges to learn from pair frequencies; merges for required tokens come on top
     * @param minFrequency the fewest occurrences of a pair, over all words, for it to be merged; at least 1
     * @param requiredTokens texts that must each encode to one token, such as {@code "assistant"}; each must be one
     *     piece of the pre-tokenizer's split
     */
    public record Settings(int merges, int minFrequency, List<String> requiredTokens) {

        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException if merges is negative, the minimum frequency below 1, or a required
         *     token is not one piece of the pre-tokenizer's split
         */
        public Settings {
            if (merges < 0) {
                throw new IllegalArgumentException("merges must be at least 0, got " + merges);
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("the minimum frequency must be at least 1, got " + minFrequency);
            }
            requiredTokens = List.copyOf(requiredTokens);
            for (String token : requiredTokens) {
                List<String> pieces = PreTokenizer.split(token);
                if (pieces.size() != 1) {
                    throw new IllegalArgumentException("\"" + token + "\" cannot be one token: the pre-tokenizer "
                            + "splits it into " + pieces.size() + " pieces " + pieces);
                }
            }
        }

        /** Up to {@code merges} merges of pairs that occur at least twice, and no required tokens. */
        public Settings(int merges) {
            this(merges, DEFAULT_MIN_FREQUENCY, List.of());
        }
    }

    /** A trained tokenizer: its merges, vocabulary and special tokens, ready to be written. */
    public static final class Result {

        private final List<BpeMerge> merges;
        private final int frequencyMerges;
        private final int modelVocabularySize;

        private Result(List<BpeMerge> merges, int frequencyMerges, int modelVocabularySize) {
            this.merges = List.copyOf(merges);
            this.frequencyMerges = frequencyMerges;
            this.modelVocabularySize = modelVocabularySize;
        }

        /** The merges by rank: first those learned from frequencies, then those that build required tokens. */
        public List<BpeMerge> merges() {
            return merges;
        }

        /** The number of merges. */
        public int mergeCount() {
            return merges.size();
        }

        /** The number of merges learned from pair frequencies, the first of {@link #merges()}. */
        public int frequencyMergeCount() {
            return frequencyMerges;
        }

        /** The number of ids: the bytes, the tokens the merges make, and the special tokens. */
        public int vocabularySize() {
            return modelVocabularySize + SPECIAL_TOKENS.size();
        }

        /**
         * The id of a special token.
         *
         * @param token one of {@link BpeTrainer#SPECIAL_TOKENS}
         * @return its id, after every token of the BPE model
         * @throws IllegalArgumentException if the token is not special
         */
        public int specialTokenId(String token) {
            int index = SPECIAL_TOKENS.indexOf(token);
            if (index < 0) {
                throw new IllegalArgumentException(token + " is not one of the special tokens " + SPECIAL_TOKENS);
            }
            return modelVocabularySize + index;
        }

        /** The text of {@code tokenizer.json}. */
        public String tokenizerJson() {
            return TokenizerJson.render(merges, SPECIAL_TOKENS);
        }

        /**
         * The text of {@code tokenizer_config.json}: the special tokens and their roles (no BOS, {@code <|im_end|>}
         * ends an answer, {@code <|endoftext|>} pads) and the tokenizer class, as Qwen2's; no chat template.
         */
        public String tokenizerConfigJson() {
            ObjectMapper json = new ObjectMapper();
            ObjectNode config = json.createObjectNode();
            config.put("add_prefix_space", false);
            ObjectNode decoder = config.putObject("added_tokens_decoder");
            for (String token : SPECIAL_TOKENS) {
                ObjectNode entry = decoder.putObject(Integer.toString(specialTokenId(token)));
                entry.put("content", token);
                entry.put("lstrip", false);
                entry.put("normalized", false);
                entry.put("rstrip", false);
                entry.put("single_word", false);
                entry.put("special", true);
            }
            config.putArray("additional_special_tokens").add(IM_START).add(IM_END);
            config.putNull("bos_token");
            config.put("clean_up_tokenization_spaces", false);
            config.put("eos_token", IM_END);
            config.put("errors", "replace");
            config.put("model_max_length", MODEL_MAX_LENGTH);
            config.put("pad_token", END_OF_TEXT);
            config.put("split_special_tokens", false);
            config.put("tokenizer_class", "Qwen2Tokenizer");
            config.putNull("unk_token");
            return config.toPrettyString();
        }

        /**
         * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into a directory, each atomically.
         *
         * @param dir the directory, created if missing
         * @return the {@code tokenizer.json} written
         * @throws Qf2Exception if the directory cannot be created or a file cannot be written
         */
        public Path write(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new Qf2Exception("cannot create the directory " + dir + " (" + e + "): give a directory "
                        + "that can be created, not a file", e);
            }
            Path tokenizerFile = dir.resolve(ModelDirectory.TOKENIZER_FILE);
            AtomicFile.writeString(tokenizerFile, tokenizerJson());
            AtomicFile.writeString(dir.resolve(ModelDirectory.TOKENIZER_CONFIG_FILE), tokenizerConfigJson());
            return tokenizerFile;
        }
    }

    /**
     * Trains a tokenizer.
     *
     * @param texts the training texts, each split by the pre-tokenizer on its own
     * @param settings how many merges, how frequent, which tokens must exist
     * @return the trained tokenizer
     */
    public static Result train(Iterable<String> texts, Settings settings) {
        long start = System.nanoTime();
        Map<String, int[]> wordCounts = new HashMap<>();
        for (String text : texts) {
            for (String piece : PreTokenizer.split(text)) {
                wordCounts.computeIfAbsent(piece, p -> new int[1])[0]++;
            }
        }

        Vocabulary vocabulary = new Vocabulary();
        new Corpus(wordCounts, vocabulary).mergeFrequentPairs(settings.merges(), settings.minFrequency());
        int frequencyMerges = vocabulary.merges.size();

        for (String token : settings.requiredTokens()) {
            vocabulary.addMergesToBuild(token);
        }
        Result result = new Result(vocabulary.merges, frequencyMerges, vocabulary.tokens.size());
        LOG.info("tokenizer trained: {} merges ({} for required tokens), vocabulary {}, {} distinct words, in {} s",
                result.mergeCount(), result.mergeCount() - frequencyMerges, result.vocabularySize(),
                wordCounts.size(), String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
        return result;
    }

    /** The key of an ordered pair of token ids. */
    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    /** The tokens by id and the merges made so far, with the rank and result of each merged pair. */
    private static final class Vocabulary {

        final List<String> tokens = new ArrayList<>();
        final Map<String, Integer> ids = new HashMap<>();
        final List<BpeMerge> merges = new ArrayList<>();

        /** Pair key to {rank, id of the merged token}. */
        final Map<Long, int[]> mergeTable = new HashMap<>();

        Vocabulary() {
            for (int b = 0; b < 256; b++) {
                String symbol = String.valueOf(ByteLevel.symbol(b));
                ids.put(symbol, b);
                tokens.add(symbol);
            }
        }

        /** Records the merge of two tokens and returns the merged token's id, new or existing. */
        int merge(int left, int right) {
            String merged = tokens.get(left) + tokens.get(right);
            Integer id = ids.get(merged);
            if (id == null) {
                id = tokens.size();
                tokens.add(merged);
                ids.put(merged, id);
            }
            mergeTable.put(pairKey(left, right), new int[] {merges.size(), id});
            merges.add(new BpeMerge(tokens.get(left), tokens.get(right)));
            return id;
        }

        /**
         * Encodes one piece with the merges so far, as a BPE model does: while any adjacent pair has a merge, the
         * pair of lowest rank, leftmost first, becomes its token.
         */
        List<Integer> encodePiece(String piece) {
            List<Integer> symbols = new ArrayList<>();
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                symbols.add(b & 0xff);
            }
            while (symbols.size() > 1) {
                int best = -1;
                int[] bestMerge = null;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    int[] merge = mergeTable.get(pairKey(symbols.get(i), symbols.get(i + 1)));
                    if (merge != null && (bestMerge == null || merge[0] < bestMerge[0])) {
                        best = i;
                        bestMerge = merge;
                    }
                }
                if (bestMerge == null) {
                    break;
                }
                symbols.set(best, bestMerge[1]);
                symbols.remove(best + 1);
            }
            return symbols;
        }

        /**
         * Appends merges until the piece encodes to one token. Each joins the first two tokens the piece encodes
         * to; being last in rank, it applies only where no earlier merge does, so every round shortens the piece.
         */
        void addMergesToBuild(String piece) {
            List<Integer> symbols = encodePiece(piece);
            while (symbols.size() > 1) {
                merge(symbols.get(0), symbols.get(1));
                symbols = encodePiece(piece);
            }
        }
    }

    /** An adjacent pair of tokens, its occurrences over all words, and the words that may hold it. */
    private static final class Pair {

        final int left;
        final int right;
        long count;

        /** Indices of words that held the pair when it was added; some may no longer hold it. */
        int[] words = new int[4];
        int wordCount;

        Pair(int left, int right) {
            this.left = left;
            this.right = right;
        }

        void addWord(int word) {
            if (wordCount == words.length) {
                words = Arrays.copyOf(words, wordCount * 2);
            }
            words[wordCount++] = word;
        }
    }

    /** A queued pair with the count it had when queued; stale entries are checked against the current count. */
    private record Candidate(long count, Pair pair) {}

    /** The distinct words as token sequences with their frequencies, and the counts of their adjacent pairs. */
    private static final class Corpus {

        private final Vocabulary vocabulary;
        private final int[][] words;
        private final int[] lengths;
        private final long[] frequencies;
        private final Map<Long, Pair> pairs = new HashMap<>();

        /** The merge at which each word was last rewritten, so that a word listed twice is rewritten once. */
        private final int[] rewrittenAt;

        private final PriorityQueue<Candidate> queue;

        Corpus(Map<String, int[]> wordCounts, Vocabulary vocabulary) {
            this.vocabulary = vocabulary;
            int size = wordCounts.size();
            words = new int[size][];
            lengths = new int[size];
            frequencies = new long[size];
            rewrittenAt = new int[size];
            Arrays.fill(rewrittenAt, -1);
            int index = 0;
            for (Map.Entry<String, int[]> entry : wordCounts.entrySet()) {
                byte[] bytes = entry.getKey().getBytes(StandardCharsets.UTF_8);
                int[] symbols = new int[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    symbols[i] = bytes[i] & 0xff;
                }
                words[index] = symbols;
                lengths[index] = symbols.length;
                frequencies[index] = entry.getValue()[0];
                index++;
            }
            // most frequent first; equal counts in the string order of the left token, then the right
            Comparator<Candidate> order = Comparator.comparingLong(Candidate::count).reversed()
                    .thenComparing(c -> vocabulary.tokens.get(c.pair().left))
                    .thenComparing(c -> vocabulary.tokens.get(c.pair().right));
            queue = new PriorityQueue<>(order);
            for (int w = 0; w < size; w++) {
                addPairs(w, null, null);
            }
            for (Pair pair : pairs.values()) {
                queue.add(new Candidate(pair.count, pair));
            }
        }

        /** Makes up to {@code maxMerges} merges of the most frequent pair while it occurs minFrequency times. */
        void mergeFrequentPairs(int maxMerges, int minFrequency) {
            Map<Pair, Long> countsBefore = new IdentityHashMap<>();
            int made = 0;
            while (made < maxMerges && !queue.isEmpty()) {
                Candidate top = queue.poll();
                Pair pair = top.pair();
                if (pair.count != top.count()) {
                    // A count that fell is queued again; one that rose was queued when it rose.
                    if (pair.count > 0 && pair.count < top.count()) {
                        queue.add(new Candidate(pair.count, pair));
                    }
                    continue;
                }
                if (pair.count < minFrequency) {
                    break;
                }
                int merged = vocabulary.merge(pair.left, pair.right);
                countsBefore.clear();
                for (int i = 0; i < pair.wordCount; i++) {
                    int word = pair.words[i];
                    if (rewrittenAt[word] != made) {
                        rewrittenAt[word] = made;
                        rewrite(word, pair, merged, countsBefore);
                    }
                }
                pairs.remove(pairKey(pair.left, pair.right));
                pair.count = 0;
                for (Map.Entry<Pair, Long> entry : countsBefore.entrySet()) {
                    Pair changed = entry.getKey();
                    if (changed.count > entry.getValue()) {
                        queue.add(new Candidate(changed.count, changed));
                    }
                }
                made++;
            }
        }

        /** Replaces every occurrence of the pair in one word, left to right, and updates the pair counts. */
        private void rewrite(int word, Pair pair, int merged, Map<Pair, Long> countsBefore) {
            int[] symbols = words[word];
            int length = lengths[word];
            boolean holds = false;
            for (int i = 0; i + 1 < length && !holds; i++) {
                holds = symbols[i] == pair.left && symbols[i + 1] == pair.right;
            }
            if (!holds) {
                return;
            }
            long frequency = frequencies[word];
            for (int i = 0; i + 1 < length; i++) {
                Pair old = pairs.get(pairKey(symbols[i], symbols[i + 1]));
                countsBefore.putIfAbsent(old, old.count);
                old.count -= frequency;
            }
            int[] before = Arrays.copyOf(symbols, length);
            int out = 0;
            for (int i = 0; i < length; i++) {
                if (i + 1 < length && symbols[i] == pair.left && symbols[i + 1] == pair.right) {
                    symbols[out++] = merged;
                    i++;
                } else {
                    symbols[out++] = symbols[i];
                }
            }
            lengths[word] = out;
            addPairs(word, before, countsBefore);
        }

        /**
         * Counts the adjacent pairs of a word and lists the word under each pair it did not hold before.
         *
         * @param previous the word's tokens before its last rewrite, or null for a new word
         * @param countsBefore where to note each pair's count before its first change in this merge, or null
         */
        private void addPairs(int word, int[] previous, Map<Pair, Long> countsBefore) {
            int[] symbols = words[word];
            for (int i = 0; i + 1 < lengths[word]; i++) {
                long key = pairKey(symbols[i], symbols[i + 1]);
                Pair pair = pairs.get(key);
                if (pair == null) {
                    pair = new Pair(symbols[i], symbols[i + 1]);
                    pairs.put(key, pair);
                }
                if (countsBefore != null) {
                    countsBefore.putIfAbsent(pair, pair.count);
                }
                pair.count += frequencies[word];
                if (previous == null ? !listedAbove(symbols, i) : !holds(previous, symbols[i], symbols[i + 1])) {
                    pair.addWord(word);
                }
            }
        }

        /** Whether the pair at {@code i} also occurs earlier in the word, so the word is already listed. */
        private static boolean listedAbove(int[] symbols, int i) {
            for (int j = 0; j < i; j++) {
                if (symbols[j] == symbols[i] && symbols[j + 1] == symbols[i + 1]) {
                    return true;
                }
            }
            return false;
        }

        private static boolean holds(int[] symbols, int left, int right) {
            for (int j = 0; j + 1 < symbols.length; j++) {
                if (symbols[j] == left && symbols[j + 1] == right) {
                    return true;
                }
            }
            return false;
        }
    }
}
