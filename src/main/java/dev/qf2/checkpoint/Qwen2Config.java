package dev.qf2.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code config.json} of a Qwen2ForCausalLM checkpoint: the sizes the model needs, plus the optional QF2
 * fields {@code qflayer}, {@code qfbeta} and {@code qfcoeff} (where the firing block sits and how it was trained)
 * and {@code qfrule} and {@code qfstrength} (the update rule that suits this checkpoint). Immutable. The whole
 * JSON is kept, so that {@link #toJson()} re-emits every field, known or not, unchanged.
 */
public final class Qwen2Config {

    /** The only architecture this project runs. */
    public static final String ARCHITECTURE = "Qwen2ForCausalLM";

    /** File name of the configuration in a model directory. */
    public static final String FILE_NAME = "config.json";

    private final ObjectNode json;
    private final int hiddenSize;
    private final int intermediateSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int numKeyValueHeads;
    private final int vocabSize;
    private final double rmsNormEps;
    private final double ropeTheta;
    private final int maxPositionEmbeddings;
    private final boolean tieWordEmbeddings;
    private final Optional<String> torchDtype;
    private final Optional<Integer> bosTokenId;
    private final List<Integer> eosTokenIds;
    private final Optional<Integer> qflayer;
    private final Optional<Double> qfbeta;
    private final Optional<Double> qfcoeff;
    private final Optional<String> qfrule;
    private final Optional<Double> qfstrength;

    private Qwen2Config(ObjectNode json, Path source) {
        this.json = json.deepCopy();
        checkArchitecture(json, source);
        JsonFields fields = new JsonFields(json, source);
        hiddenSize = fields.requiredInt("hidden_size");
        intermediateSize = fields.requiredInt("intermediate_size");
        numHiddenLayers = fields.requiredInt("num_hidden_layers");
        numAttentionHeads = fields.requiredInt("num_attention_heads");
        numKeyValueHeads = fields.optionalInt("num_key_value_heads").orElse(numAttentionHeads);
        vocabSize = fields.requiredInt("vocab_size");
        rmsNormEps = fields.optionalDouble("rms_norm_eps").orElse(1e-6);
        ropeTheta = fields.optionalDouble("rope_theta").orElse(10000.0);
        maxPositionEmbeddings = fields.requiredInt("max_position_embeddings");
        tieWordEmbeddings = fields.optionalBoolean("tie_word_embeddings").orElse(false);
        torchDtype = fields.optionalString("torch_dtype");
        bosTokenId = fields.optionalInt("bos_token_id");
        eosTokenIds = fields.intOrIntList("eos_token_id");
        qflayer = fields.optionalInt("qflayer");
        qfbeta = fields.optionalDouble("qfbeta");
        qfcoeff = fields.optionalDouble("qfcoeff");
        qfrule = fields.optionalString("qfrule");
        qfstrength = fields.optionalDouble("qfstrength");
        validate(source);
    }

    /**
     * Reads {@code config.json}.
     *
     * @param path the file, or the model directory that holds it
     * @throws Qf2Exception if the file is missing or malformed, the architecture is not Qwen2ForCausalLM, or the
     *     sizes are inconsistent
     */
    public static Qwen2Config load(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        if (!Files.isRegularFile(file)) {
            throw new Qf2Exception("no " + FILE_NAME + " at " + file
                    + ": point --model at a Hugging Face model directory");
        }
        return new Qwen2Config(JsonFields.readObject(file), file);
    }

    /**
     * Builds a config from JSON already in memory.
     *
     * @param source where the JSON came from, for error messages
     */
    public static Qwen2Config fromJson(ObjectNode json, Path source) {
        return new Qwen2Config(json, source);
    }

    /** Starts a config from explicit sizes, e.g. for a random-weight checkpoint. */
    public static Builder builder() {
        return new Builder();
    }

    private static void checkArchitecture(ObjectNode json, Path source) {
        JsonNode architectures = json.get("architectures");
        List<String> names = new ArrayList<>();
        if (architectures != null && architectures.isArray()) {
            architectures.forEach(node -> names.add(node.asText()));
        } else if (architectures != null && architectures.isTextual()) {
            names.add(architectures.textValue());
        }
        if (!names.contains(ARCHITECTURE)) {
            String found = names.isEmpty() ? "(none)" : String.join(", ", names);
            throw new Qf2Exception("unsupported architecture " + found + " in " + source + ": only " + ARCHITECTURE
                    + " is supported");
        }
    }

    private void validate(Path source) {
        requirePositive("hidden_size", hiddenSize, source);
        requirePositive("intermediate_size", intermediateSize, source);
        requirePositive("num_hidden_layers", numHiddenLayers, source);
        requirePositive("num_attention_heads", numAttentionHeads, source);
        requirePositive("num_key_value_heads", numKeyValueHeads, source);
        requirePositive("vocab_size", vocabSize, source);
        requirePositive("max_position_embeddings", maxPositionEmbeddings, source);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new Qf2Exception("invalid " + source + ": num_attention_heads " + numAttentionHeads
                    + " does not divide hidden_size " + hiddenSize + ": fix the config");
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new Qf2Exception("invalid " + source + ": num_key_value_heads " + numKeyValueHeads
                    + " does not divide num_attention_heads " + numAttentionHeads + ": fix the config");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new Qf2Exception("invalid " + source
                    + ": rms_norm_eps and rope_theta must be positive: fix the config");
        }
        if (qflayer.isPresent() && (qflayer.get() < 0 || qflayer.get() >= numHiddenLayers)) {
            throw new Qf2Exception("invalid " + source + ": qflayer " + qflayer.get() + " is not a layer of the "
                    + numHiddenLayers + "-layer model: fix the config");
        }
        if (qfstrength.isPresent() && !(qfstrength.get() > 0 && Double.isFinite(qfstrength.get()))) {
            throw new Qf2Exception("invalid " + source + ": qfstrength " + qfstrength.get() + " must be a positive "
                    + "number: fix the config");
        }
    }

    private static void requirePositive(String field, int value, Path source) {
        if (value <= 0) {
            throw new Qf2Exception("invalid " + source + ": " + field + " must be positive (got " + value
                    + "): fix the config");
        }
    }

    /** H, the width of the residual stream. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** I, the width of the MLP (rows of up_proj and gate_proj). */
    public int intermediateSize() {
        return intermediateSize;
    }

    /** The number of decoder layers. */
    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    /** The number of query heads. */
    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    /** The number of key/value heads (grouped-query attention); equals the query heads if not given. */
    public int numKeyValueHeads() {
        return numKeyValueHeads;
    }

    /** V, the number of token embeddings and logits. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The epsilon inside RMSNorm's square root (default 1e-6). */
    public double rmsNormEps() {
        return rmsNormEps;
    }

    /** The RoPE base (default 10000). */
    public double ropeTheta() {
        return ropeTheta;
    }

    /** The longest sequence the model was trained for. */
    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    /** Whether lm_head shares model.embed_tokens.weight (then the checkpoint has no lm_head.weight). */
    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    /** The dtype the checkpoint was saved in, as torch names it ({@code "bfloat16"}, {@code "float32"}, ...). */
    public Optional<String> torchDtype() {
        return torchDtype;
    }

    /** The beginning-of-sequence token, if configured. */
    public Optional<Integer> bosTokenId() {
        return bosTokenId;
    }

    /** The end-of-sequence tokens (config.json allows one or a list); empty if none. */
    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** The layer whose MLP QF2 edits, if this checkpoint carries QF2 settings. */
    public Optional<Integer> qflayer() {
        return qflayer;
    }

    /** QF2's sigmoid sharpness beta, if set. */
    public Optional<Double> qfbeta() {
        return qfbeta;
    }

    /** QFt's mixing coefficient, if set. */
    public Optional<Double> qfcoeff() {
        return qfcoeff;
    }

    /** The name of the update rule that learning uses on this checkpoint unless told otherwise, if set. */
    public Optional<String> qfrule() {
        return qfrule;
    }

    /** The strength (learning rate or margin) of {@link #qfrule()}, if set. */
    public Optional<Double> qfstrength() {
        return qfstrength;
    }

    /** hd = H / heads, the width of one attention head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** A copy of the whole JSON, unknown fields included, in the original order. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    /** The JSON as Hugging Face writes config.json: two-space indentation, a trailing newline. */
    public String toJsonString() {
        try {
            return JsonFields.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /**
     * This config with the QF2 fields set, every other field unchanged.
     *
     * @param layer the edited layer, {@code qflayer}
     * @param beta the sigmoid sharpness, {@code qfbeta}
     * @param coeff {@code qfcoeff}; null leaves any existing value as it is
     */
    public Qwen2Config withQf(int layer, double beta, Double coeff) {
        ObjectNode copy = json.deepCopy();
        copy.put("qflayer", layer);
        copy.put("qfbeta", beta);
        if (coeff != null) {
            copy.put("qfcoeff", coeff);
        }
        return new Qwen2Config(copy, Path.of(FILE_NAME));
    }

    /**
     * This config with the update rule that learning uses by default, every other field unchanged.
     *
     * @param rule the rule's name, {@code qfrule}
     * @param strength its strength, {@code qfstrength}; null for the rule's own default
     */
    public Qwen2Config withDefaultRule(String rule, Double strength) {
        ObjectNode copy = json.deepCopy();
        copy.put("qfrule", rule);
        if (strength != null) {
            copy.put("qfstrength", strength);
        } else {
            copy.remove("qfstrength");
        }
        return new Qwen2Config(copy, Path.of(FILE_NAME));
    }

    /** Explicit sizes for a new Qwen2 config; unset optional fields take Qwen2's defaults. */
    public static final class Builder {
        private int hiddenSize;
        private int intermediateSize;
        private int numHiddenLayers;
        private int numAttentionHeads;
        private Integer numKeyValueHeads;
        private int vocabSize;
        private double rmsNormEps = 1e-6;
        private double ropeTheta = 10000.0;
        private int maxPositionEmbeddings = 32768;
        private boolean tieWordEmbeddings;
        private String torchDtype = "float32";
        private Integer bosTokenId;
        private Integer eosTokenId;

        private Builder() {}

        /** H. */
        public Builder hiddenSize(int value) {
            hiddenSize = value;
            return this;
        }

        /** I. */
        public Builder intermediateSize(int value) {
            intermediateSize = value;
            return this;
        }

        /** The number of decoder layers. */
        public Builder numHiddenLayers(int value) {
            numHiddenLayers = value;
            return this;
        }

        /** The number of query heads. */
        public Builder numAttentionHeads(int value) {
            numAttentionHeads = value;
            return this;
        }

        /** The number of key/value heads (default: the query heads). */
        public Builder numKeyValueHeads(int value) {
            numKeyValueHeads = value;
            return this;
        }

        /** V. */
        public Builder vocabSize(int value) {
            vocabSize = value;
            return this;
        }

        /** RMSNorm epsilon (default 1e-6). */
        public Builder rmsNormEps(double value) {
            rmsNormEps = value;
            return this;
        }

        /** RoPE base (default 10000). */
        public Builder ropeTheta(double value) {
            ropeTheta = value;
            return this;
        }

        /** Longest sequence (default 32768). */
        public Builder maxPositionEmbeddings(int value) {
            maxPositionEmbeddings = value;
            return this;
        }

        /** Whether lm_head shares the embedding (default false). */
        public Builder tieWordEmbeddings(boolean value) {
            tieWordEmbeddings = value;
            return this;
        }

        /** The torch dtype name recorded in the config (default {@code "float32"}). */
        public Builder torchDtype(String value) {
            torchDtype = value;
            return this;
        }

        /** The beginning-of-sequence token (default: none). */
        public Builder bosTokenId(int value) {
            bosTokenId = value;
            return this;
        }

        /** The end-of-sequence token (default: none). */
        public Builder eosTokenId(int value) {
            eosTokenId = value;
            return this;
        }

        /**
         * Builds and validates the config.
         *
         * @throws Qf2Exception if the sizes are inconsistent
         */
        public Qwen2Config build() {
            ObjectNode json = JsonFields.JSON.createObjectNode();
            ArrayNode architectures = json.putArray("architectures");
            architectures.add(ARCHITECTURE);
            json.put("model_type", "qwen2");
            json.put("hidden_act", "silu");
            json.put("attention_dropout", 0.0);
            if (bosTokenId != null) {
                json.put("bos_token_id", bosTokenId);
            }
            if (eosTokenId != null) {
                json.put("eos_token_id", eosTokenId);
            }
            json.put("hidden_size", hiddenSize);
            json.put("initializer_range", 0.02);
            json.put("intermediate_size", intermediateSize);
            json.put("max_position_embeddings", maxPositionEmbeddings);
            json.put("max_window_layers", numHiddenLayers);
            json.put("num_attention_heads", numAttentionHeads);
            json.put("num_hidden_layers", numHiddenLayers);
            json.put("num_key_value_heads", numKeyValueHeads != null ? numKeyValueHeads : numAttentionHeads);
            json.put("rms_norm_eps", rmsNormEps);
            json.put("rope_theta", ropeTheta);
            json.put("sliding_window", maxPositionEmbeddings);
            json.put("tie_word_embeddings", tieWordEmbeddings);
            json.put("torch_dtype", torchDtype);
            json.put("use_cache", true);
            json.put("use_sliding_window", false);
            json.put("vocab_size", vocabSize);
            return new Qwen2Config(json, Path.of(FILE_NAME));
        }
    }
}
