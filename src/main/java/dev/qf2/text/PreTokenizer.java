package dev.qf2.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Qwen2's pre-tokenizer: the split of text into pieces (contractions, words with one leading non-letter, single
 * digits, runs of punctuation with their line breaks, runs of white space) within which BPE merges apply. No merge
 * crosses a piece boundary, so a string can become one token only if it is one piece.
 */
public final class PreTokenizer {

    /**
     * The split pattern of Qwen2's {@code tokenizer.json}, in the syntax of the Rust tokenizers library (whose
     * Unicode {@code \s} is Java's with {@link Pattern#UNICODE_CHARACTER_CLASS}).
     */
    public static final String PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Pattern SPLIT = Pattern.compile(PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizer() {}

    /**
     * Splits text as the {@code tokenizer.json} pre-tokenizer does: every match is a piece, and so is any text
     * between matches.
     *
     * @param text any text
     * @return the pieces, in order; they concatenate to the text
     */
    public static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher matcher = SPLIT.matcher(text);
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() > end) {
                pieces.add(text.substring(end, matcher.start()));
            }
            pieces.add(matcher.group());
            end = matcher.end();
        }
        if (end < text.length()) {
            pieces.add(text.substring(end));
        }
        return pieces;
    }
}
