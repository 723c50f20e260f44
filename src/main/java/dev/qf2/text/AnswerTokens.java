package dev.qf2.text;

import dev.qf2.Qf2Exception;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The answer ids that QF-instruct and QF-update force the model along, with a significance per id.
 *
 * <p>Built as the reference QF2 code builds them. The answer is split on whitespace. Each word is tokenized
 * as {@code " " + word} and all its tokens get the word's significance. A word that ends in one of
 * {@link #PUNCTUATION} is cut before that last character: a final {@code "."} is dropped, any other mark is
 * tokenized on its own, without a leading space, with significance 0. The ids are wrapped as
 * {@code [id("assistant"), id(":")] + word ids + [id(".\n")]} with significances
 * {@code [0, 0] + word significances + [the last word's significance]}.
 *
 * <p>Teacher forcing feeds {@code ids[0..n-2]} and forces {@code ids[1..n-1]}; the final {@code ".\n"} stops
 * generation and is never fed. So there are {@code n - 1} rows, and row {@code i}, whose input is
 * {@code ids[i]}, is weighted by the significance of the token it predicts, {@code significances[i + 1]}.
 */
public final class AnswerTokens {

    /**
     * The marks that split off the end of a word: ASCII {@code . , ! ? ; : " '}, the CJK and full-width
     * {@code ， 。 ！ ？ ； ： 、}, the curly quotes {@code “ ” ‘ ’} and the brackets {@code ( ) [ ] { }}.
     * Only a word's last character is examined, so {@code "word?!"} splits into {@code " word?"} and
     * {@code "!"}.
     */
    public static final Set<Character> PUNCTUATION = Set.of(
            '.', ',', '!', '?', ';', ':', '"', '\'',
            '，', '。', '！', '？', '；', '：', '、',
            '“', '”', '‘', '’',
            '(', ')', '[', ']', '{', '}');

    private static final char FULL_STOP = '.';

    private final List<String> words;
    private final int[] ids;
    private final double[] significances;

    private AnswerTokens(List<String> words, int[] ids, double[] significances) {
        this.words = List.copyOf(words);
        this.ids = ids;
        this.significances = significances;
    }

    /**
     * Builds the answer ids with one significance per word.
     *
     * @param tokenizer the checkpoint's tokenizer
     * @param answer the answer, such as {@code "The CEO of Oxinnovate is Qi."}
     * @param wordSignificances one significance per whitespace-separated word; null or empty means 1.0 each
     * @return the answer ids and significances
     * @throws Qf2Exception if the answer has no word, the counts differ, or a wrapper text is not one token
     */
    public static AnswerTokens build(Tokenizer tokenizer, String answer, double[] wordSignificances) {
        List<String> words = splitWords(answer);
        double[] perWord = wordSignificances == null || wordSignificances.length == 0
                ? filled(words.size(), 1.0)
                : wordSignificances;
        if (perWord.length != words.size()) {
            throw new Qf2Exception("the answer \"" + answer + "\" has " + words.size() + " words but "
                    + perWord.length + " significances were given; give one significance per word");
        }

        IdList ids = new IdList();
        for (int w = 0; w < words.size(); w++) {
            String word = words.get(w);
            char last = word.charAt(word.length() - 1);
            if (!PUNCTUATION.contains(last)) {
                ids.add(tokenizer.encode(" " + word), perWord[w]);
                continue;
            }
            ids.add(tokenizer.encode(" " + word.substring(0, word.length() - 1)), perWord[w]);
            if (last != FULL_STOP) {
                ids.add(tokenizer.encode(String.valueOf(last)), 0.0);
            }
        }
        return wrap(tokenizer, words, ids.ids(), ids.significances(), perWord[perWord.length - 1]);
    }

    /**
     * Builds the answer ids as {@link #build} does, with a significance per word token instead of per word.
     *
     * @param tokenizer the checkpoint's tokenizer
     * @param answer the answer
     * @param tokenSignificances one significance per id between the {@code "assistant", ":"} prefix and the
     *     final {@code ".\n"}; the final id gets the last of them
     * @return the answer ids and significances
     * @throws Qf2Exception if the count differs from the number of word tokens
     */
    public static AnswerTokens fromTokenSignificances(
            Tokenizer tokenizer, String answer, double[] tokenSignificances) {
        AnswerTokens uniform = build(tokenizer, answer, null);
        int wordTokens = uniform.ids.length - 3;
        if (tokenSignificances == null || tokenSignificances.length != wordTokens) {
            int given = tokenSignificances == null ? 0 : tokenSignificances.length;
            throw new Qf2Exception("the answer \"" + answer + "\" has " + wordTokens + " tokens but " + given
                    + " token significances were given; give one significance per token");
        }
        int[] wordIds = Arrays.copyOfRange(uniform.ids, 2, 2 + wordTokens);
        double last = tokenSignificances[wordTokens - 1];
        return wrap(tokenizer, uniform.words, wordIds, tokenSignificances.clone(), last);
    }

    private static AnswerTokens wrap(
            Tokenizer tokenizer, List<String> words, int[] wordIds, double[] wordSigs, double finalSig) {
        int assistant = wrapperId(tokenizer, Message.ASSISTANT);
        int colon = wrapperId(tokenizer, ":");
        int endOfAnswer = wrapperId(tokenizer, ".\n");

        int n = wordIds.length + 3;
        int[] ids = new int[n];
        double[] significances = new double[n];
        ids[0] = assistant;
        ids[1] = colon;
        System.arraycopy(wordIds, 0, ids, 2, wordIds.length);
        System.arraycopy(wordSigs, 0, significances, 2, wordSigs.length);
        ids[n - 1] = endOfAnswer;
        significances[n - 1] = finalSig;
        return new AnswerTokens(words, ids, significances);
    }

    private static int wrapperId(Tokenizer tokenizer, String text) {
        return tokenizer.singleTokenId(text).orElseThrow(() -> new Qf2Exception("the tokenizer "
                + tokenizer.file() + " does not encode \"" + text.replace("\n", "\\n")
                + "\" as a single token; answer tokens need it to frame the answer"));
    }

    /** Splits on runs of whitespace as Python's {@code str.split()} does, Unicode spaces included. */
    private static List<String> splitWords(String answer) {
        List<String> words = new ArrayList<>();
        int start = -1;
        String text = answer == null ? "" : answer;
        for (int i = 0; i < text.length(); i++) {
            if (isSpace(text.charAt(i))) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            words.add(text.substring(start));
        }
        if (words.isEmpty()) {
            throw new Qf2Exception("the answer is empty; give the answer text to learn");
        }
        return words;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static double[] filled(int length, double value) {
        double[] values = new double[length];
        Arrays.fill(values, value);
        return values;
    }

    /** The whitespace-separated words of the answer, as written. */
    public List<String> words() {
        return words;
    }

    /** The answer ids, {@code "assistant", ":"} first and {@code ".\n"} last, shape (n). */
    public int[] ids() {
        return ids.clone();
    }

    /** The significance of each id, shape (n); the first two are 0. */
    public double[] significances() {
        return significances.clone();
    }

    /** The number of teacher-forced rows, {@code n - 1}. */
    public int rows() {
        return ids.length - 1;
    }

    /**
     * The weight of each row: the significance of the id it predicts, {@code significances[1..n-1]},
     * shape (rows).
     */
    public double[] rowSignificances() {
        return Arrays.copyOfRange(significances, 1, ids.length);
    }

    /** The id fed at each row, {@code ids[0..n-2]}, shape (rows). */
    public int[] rowInputIds() {
        return Arrays.copyOfRange(ids, 0, ids.length - 1);
    }

    /** The id forced at each row, {@code ids[1..n-1]}, shape (rows). */
    public int[] rowTargetIds() {
        return Arrays.copyOfRange(ids, 1, ids.length);
    }

    /** Collects ids with one significance each. */
    private static final class IdList {
        private int[] ids = new int[16];
        private double[] significances = new double[16];
        private int size;

        void add(int[] tokens, double significance) {
            for (int token : tokens) {
                if (size == ids.length) {
                    ids = Arrays.copyOf(ids, size * 2);
                    significances = Arrays.copyOf(significances, size * 2);
                }
                ids[size] = token;
                significances[size] = significance;
                size++;
            }
        }

        int[] ids() {
            return Arrays.copyOf(ids, size);
        }

        double[] significances() {
            return Arrays.copyOf(significances, size);
        }
    }
}
