package dev.qf2.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.checkpoint.AtomicFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.json} of a byte-level BPE tokenizer that splits text as Qwen2's does: no normalizer,
 * the {@link PreTokenizer} split followed by the byte-level mapping, a byte-level decoder, and a BPE model whose
 * vocabulary is the 256 bytes (ids 0..255 in byte order) followed by the tokens the merges make. Special tokens
 * come after the vocabulary, as added tokens that encoding recognises anywhere in the text.
 */
public final class TokenizerJson {

    private TokenizerJson() {}

    /**
     * The BPE model's vocabulary: each byte's character at its byte value, then each merge's token, in merge
     * order, at the next free id; a token that an earlier merge already made keeps its id.
     *
     * @param merges the merges, by rank
     * @return token to id, in id order; ids run from 0 without gaps
     */
    public static Map<String, Integer> vocabulary(List<BpeMerge> merges) {
        Map<String, Integer> vocabulary = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocabulary.put(String.valueOf(ByteLevel.symbol(b)), b);
        }
        for (BpeMerge merge : merges) {
            vocabulary.putIfAbsent(merge.merged(), vocabulary.size());
        }
        return vocabulary;
    }

    /**
     * Renders the file.
     *
     * @param merges the merges, by rank; each joins tokens of the vocabulary the earlier merges make
     * @param specialTokens the special tokens, given the ids after the vocabulary in this order
     * @return the JSON text
     */
    public static String render(List<BpeMerge> merges, List<String> specialTokens) {
        Map<String, Integer> vocabulary = vocabulary(merges);
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < specialTokens.size(); i++) {
            ObjectNode token = added.addObject();
            token.put("id", vocabulary.size() + i);
            token.put("content", specialTokens.get(i));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
        }
        root.putNull("normalizer");

        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizer.PATTERN);
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
        vocabulary.forEach(vocab::put);
        ArrayNode mergeList = model.putArray("merges");
        for (BpeMerge merge : merges) {
            mergeList.add(merge.toString());
        }
        return root.toPrettyString();
    }

    /**
     * Writes the file, atomically.
     *
     * @param file the target, usually {@code tokenizer.json} in a model directory
     * @param merges the merges, by rank
     * @param specialTokens the special tokens, given the ids after the vocabulary in this order
     */
    public static void write(Path file, List<BpeMerge> merges, List<String> specialTokens) {
        AtomicFile.writeString(file, render(merges, specialTokens));
    }

    private static void byteLevel(ObjectNode node) {
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", false);
        node.put("use_regex", false);
    }
}
