package dev.qf2.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.checkpoint.AtomicFile;

import java.nio.file.Path;

/**
 * A Hugging Face tokenizer.json with one token per byte, the few merges that make {@code assistant} and
 * {@code ".\n"} single tokens (the plain prompt format frames answers with them), and an end-of-text token.
 * Any text encodes, every id is below 300, and the pre-tokenizer splits text as Qwen2's does, so it serves
 * any checkpoint of random weights.
 */
public final class ByteTokenizer {

    /** Qwen2's pre-tokenizer pattern. */
    private static final String SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The merges, each of two existing symbols; the newline byte is written as U+010A. */
    private static final String[][] MERGES = {
        {"a", "s"}, {"as", "s"}, {"ass", "i"}, {"assi", "s"}, {"assis", "t"}, {"assist", "a"},
        {"assista", "n"}, {"assistan", "t"}, {".", "\u010a"},
    };

    /** The one special token, after the bytes and merges. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private ByteTokenizer() {}

    /** Writes the tokenizer to {@code file}, atomically. */
    public static void write(Path file) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode eot = added.addObject();
        eot.put("id", 256 + MERGES.length);
        eot.put("content", END_OF_TEXT);
        eot.put("single_word", false);
        eot.put("lstrip", false);
        eot.put("rstrip", false);
        eot.put("normalized", false);
        eot.put("special", true);
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", SPLIT);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        byteLevel(steps.addObject());
        root.putNull("post_processor");
        byteLevel(root.putObject("decoder"));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        int moved = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            char symbol = printable ? (char) b : (char) (256 + moved++);
            vocab.put(String.valueOf(symbol), b);
        }
        ArrayNode merges = model.putArray("merges");
        int id = 256;
        for (String[] merge : MERGES) {
            merges.add(merge[0] + " " + merge[1]);
            vocab.put(merge[0] + merge[1], id++);
        }
        AtomicFile.writeString(file, root.toPrettyString());
    }

    private static void byteLevel(ObjectNode node) {
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", false);
        node.put("use_regex", false);
    }
}
