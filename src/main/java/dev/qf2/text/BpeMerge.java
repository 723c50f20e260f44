package dev.qf2.text;

import java.util.Objects;

/**
 * One merge rule of a byte-level BPE model: two adjacent tokens that become one. Both are written in the
 * byte-level form of {@link ByteLevel}, as in a {@code tokenizer.json}.
 *
 * @param left the first token
 * @param right the token that follows it
 */
public record BpeMerge(String left, String right) {

    /** Requires two non-empty tokens. */
    public BpeMerge {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        if (left.isEmpty() || right.isEmpty()) {
            throw new IllegalArgumentException("a merge joins two non-empty tokens, got \"" + left + "\" and \""
                    + right + "\"");
        }
    }

    /** The token the merge makes. */
    public String merged() {
        return left + right;
    }

    /** The merge as {@code tokenizer.json} lists it: the two tokens separated by a space. */
    @Override
    public String toString() {
        return left + " " + right;
    }
}
