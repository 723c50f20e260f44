package dev.qf2.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The decoding settings of an optional {@code generation_config.json}. Absent fields, or an absent file, take
 * Hugging Face's defaults: greedy decoding, temperature 1, top_p 1, top_k 50, repetition penalty 1.
 *
 * @param doSample whether to sample rather than take the argmax
 * @param temperature the divisor of the logits when sampling
 * @param topP nucleus sampling's cumulative probability
 * @param topK how many of the most likely tokens sampling keeps
 * @param repetitionPenalty the factor against tokens already in the sequence (1 means none)
 * @param eosTokenIds the tokens that end generation; empty to use the model config's
 * @param padTokenId the padding token, if set
 * @param maxNewTokens the generation length limit, if set
 */
public record GenerationConfig(boolean doSample, double temperature, double topP, int topK,
        double repetitionPenalty, List<Integer> eosTokenIds, Optional<Integer> padTokenId,
        Optional<Integer> maxNewTokens) {

    /** File name of the generation settings in a model directory. */
    public static final String FILE_NAME = "generation_config.json";

    /** Keeps the token list immutable. */
    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Hugging Face's defaults, used when a model has no generation_config.json. */
    public static GenerationConfig defaults() {
        return new GenerationConfig(false, 1.0, 1.0, 50, 1.0, List.of(), Optional.empty(), Optional.empty());
    }

    /**
     * Reads {@code generation_config.json} from a model directory, or returns {@link #defaults()} without one.
     *
     * @throws dev.qf2.Qf2Exception if the file exists but is malformed
     */
    public static GenerationConfig load(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return defaults();
        }
        GenerationConfig base = defaults();
        JsonFields fields = new JsonFields(JsonFields.readObject(file), file);
        return new GenerationConfig(
                fields.optionalBoolean("do_sample").orElse(base.doSample()),
                fields.optionalDouble("temperature").orElse(base.temperature()),
                fields.optionalDouble("top_p").orElse(base.topP()),
                fields.optionalInt("top_k").orElse(base.topK()),
                fields.optionalDouble("repetition_penalty").orElse(base.repetitionPenalty()),
                fields.intOrIntList("eos_token_id"),
                fields.optionalInt("pad_token_id"),
                fields.optionalInt("max_new_tokens"));
    }
}
