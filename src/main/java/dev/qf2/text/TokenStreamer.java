package dev.qf2.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns generated token ids, fed one at a time, into text that can be printed as it arrives.
 *
 * <p>A byte-level token may hold only part of a multi-byte UTF-8 character (CJK, emoji), which decodes to
 * U+FFFD until the rest arrives. The streamer keeps the ids received since its last output and decodes them
 * together; it releases their text only once that text no longer ends with U+FFFD, so every character is
 * printed whole and exactly once. Invalid bytes at the very end of a sequence are released by {@link #finish()}.
 *
 * <p>Not thread-safe: one streamer per generation.
 */
public final class TokenStreamer {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final List<Integer> pending = new ArrayList<>();

    /**
     * Creates a streamer for one generated sequence.
     *
     * @param tokenizer the tokenizer that produced the ids
     */
    public TokenStreamer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Accepts the next generated id.
     *
     * @param id a token id
     * @return the text that became printable with this id; empty while a character is still incomplete
     */
    public String accept(int id) {
        pending.add(id);
        String text = decodePending();
        if (!text.isEmpty() && text.charAt(text.length() - 1) == REPLACEMENT) {
            return "";
        }
        pending.clear();
        return text;
    }

    /**
     * Ends the sequence.
     *
     * @return the text of the ids still held back, incomplete characters shown as U+FFFD; empty if none
     */
    public String finish() {
        String text = decodePending();
        pending.clear();
        return text;
    }

    private String decodePending() {
        int[] ids = new int[pending.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = pending.get(i);
        }
        return tokenizer.decode(ids);
    }
}
