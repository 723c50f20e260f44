package dev.qf2.bench;

import dev.qf2.text.BpeMerge;
import dev.qf2.text.TokenizerJson;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face tokenizer.json with one token per byte, the few merges that make {@code assistant} and
 * {@code ".\n"} single tokens (the plain prompt format frames answers with them), and an end-of-text token.
 * Any text encodes, every id is below 300, and the pre-tokenizer splits text as Qwen2's does, so it serves
 * any checkpoint of random weights.
 */
public final class ByteTokenizer {

    /** The merges, each of two existing symbols; the newline byte is written as U+010A. */
    private static final List<BpeMerge> MERGES = List.of(
            new BpeMerge("a", "s"), new BpeMerge("as", "s"), new BpeMerge("ass", "i"), new BpeMerge("assi", "s"),
            new BpeMerge("assis", "t"), new BpeMerge("assist", "a"), new BpeMerge("assista", "n"),
            new BpeMerge("assistan", "t"), new BpeMerge(".", "\u010a"));

    /** The one special token, after the bytes and merges. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private ByteTokenizer() {}

    /** Writes the tokenizer to {@code file}, atomically. */
    public static void write(Path file) {
        TokenizerJson.write(file, MERGES, List.of(END_OF_TEXT));
    }
}
