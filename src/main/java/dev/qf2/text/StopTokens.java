package dev.qf2.text;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The token ids that end a generation in the reference QF2 code. Greedy decoding stops at the end of the
 * chat turn or at the end of the answer's line or sentence.
 */
public final class StopTokens {

    /**
     * The reference's stop ids in the Qwen2 vocabulary: 151645 {@code <|im_end|>}, 198 {@code "\n"},
     * 659 {@code " ."}, 624 {@code ".\n"}, 364 {@code " '"}. Valid only for tokenizers with that vocabulary;
     * use {@link #forTokenizer(Tokenizer)} for others.
     */
    public static final List<Integer> REFERENCE_STOP_IDS = List.of(151645, 198, 659, 624, 364);

    /** The texts of the reference's stop ids, in the same order. */
    public static final List<String> REFERENCE_STOP_TEXTS = List.of("<|im_end|>", "\n", " .", ".\n", " '");

    private StopTokens() {}

    /**
     * Derives the reference's stop ids for a tokenizer by encoding each of {@link #REFERENCE_STOP_TEXTS}.
     * A text counts only if it encodes to a single token, so {@code <|im_end|>} counts only where the
     * vocabulary has it as an added token. For the Qwen2 vocabulary this gives {@link #REFERENCE_STOP_IDS}.
     *
     * @param tokenizer the checkpoint's tokenizer
     * @return the stop ids in the order of the texts, those that are not a single token left out
     */
    public static int[] forTokenizer(Tokenizer tokenizer) {
        return REFERENCE_STOP_TEXTS.stream()
                .map(tokenizer::singleTokenId)
                .flatMap(Optional::stream)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Whether an id is among the given stop ids. */
    public static boolean isStop(int[] stopIds, int id) {
        return Arrays.stream(stopIds).anyMatch(stop -> stop == id);
    }
}
