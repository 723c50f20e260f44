package dev.qf2.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * A Hugging Face Qwen2 model directory: config.json, an optional generation_config.json, tokenizer.json, an
 * optional tokenizer_config.json, and the weights (model.safetensors or a sharded index).
 */
public final class ModelDirectory {

    /** File name of the fast tokenizer definition. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /** File name of the tokenizer settings, which may hold the chat template. */
    public static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";

    /** File name of a stand-alone chat template, used by newer checkpoints instead of tokenizer_config.json. */
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

    /**
     * The files besides config.json and the weights that a derived checkpoint keeps unchanged: the tokenizer in
     * both its forms, the generation settings and the chat template.
     */
    public static final List<String> COMPANION_FILES = List.of(TOKENIZER_FILE, TOKENIZER_CONFIG_FILE,
            GenerationConfig.FILE_NAME, "vocab.json", "merges.txt", "special_tokens_map.json", CHAT_TEMPLATE_FILE);

    private final Path dir;
    private final Qwen2Config config;
    private final GenerationConfig generationConfig;
    private final Path tokenizerJson;
    private final Optional<Path> tokenizerConfigJson;
    private final Optional<String> chatTemplate;

    private ModelDirectory(Path dir) {
        this.dir = dir;
        this.config = Qwen2Config.load(dir.resolve(Qwen2Config.FILE_NAME));
        this.generationConfig = GenerationConfig.load(dir);
        this.tokenizerJson = dir.resolve(TOKENIZER_FILE);
        Path tokenizerConfig = dir.resolve(TOKENIZER_CONFIG_FILE);
        this.tokenizerConfigJson = Files.isRegularFile(tokenizerConfig) ? Optional.of(tokenizerConfig)
                : Optional.empty();
        this.chatTemplate = readChatTemplate();
    }

    /**
     * Opens a model directory and reads its configuration files (not the weights).
     *
     * @throws Qf2Exception if the directory or config.json is missing, or a file is malformed
     */
    public static ModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new Qf2Exception("model directory " + dir + " does not exist or is not a directory"
                    + ": point --model at a Hugging Face model directory");
        }
        return new ModelDirectory(dir);
    }

    /**
     * Copies every companion file this directory has into {@code target}, replacing what is there.
     *
     * @throws Qf2Exception if a copy fails
     */
    public void copyCompanionFiles(Path target) {
        for (String name : COMPANION_FILES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    Files.copy(file, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new Qf2Exception("cannot copy " + file + " to " + target + " (" + e + ")"
                            + ": check free disk space and permissions", e);
                }
            }
        }
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** The model configuration. */
    public Qwen2Config config() {
        return config;
    }

    /** The generation settings, defaults if the directory has no generation_config.json. */
    public GenerationConfig generationConfig() {
        return generationConfig;
    }

    /**
     * The tokenizer.json file.
     *
     * @throws Qf2Exception if the directory has none (the weights alone can still be loaded)
     */
    public Path tokenizerJson() {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new Qf2Exception("no " + TOKENIZER_FILE + " in " + dir
                    + ": copy the tokenizer files of the base model into it");
        }
        return tokenizerJson;
    }

    /** The tokenizer_config.json file, if present. */
    public Optional<Path> tokenizerConfigJson() {
        return tokenizerConfigJson;
    }

    /**
     * The Jinja chat template: tokenizer_config.json's {@code chat_template} (a string, or a list of
     * {@code {name, template}} from which "default" or else the first is taken), else chat_template.jinja.
     */
    public Optional<String> chatTemplate() {
        return chatTemplate;
    }

    /**
     * Opens the weights; the caller closes the store.
     *
     * @throws Qf2Exception if there are no weights or a weight file is malformed
     */
    public TensorStore openWeights() {
        return TensorStore.openDirectory(dir);
    }

    /**
     * Checks that the weights match the config: see {@link Qwen2TensorLayout#validate}.
     *
     * @throws Qf2Exception naming the missing or mis-shaped tensor and its file
     */
    public static void validateWeights(TensorStore store, Qwen2Config config) {
        Qwen2TensorLayout.validate(store, config);
    }

    private Optional<String> readChatTemplate() {
        if (tokenizerConfigJson.isPresent()) {
            Path file = tokenizerConfigJson.get();
            ObjectNode root = JsonFields.readObject(file);
            JsonNode template = root.get("chat_template");
            if (template != null && template.isTextual()) {
                return Optional.of(template.textValue());
            }
            if (template != null && template.isArray() && !template.isEmpty()) {
                return Optional.of(namedTemplate(template, file));
            }
            if (template != null && !template.isNull()) {
                throw new Qf2Exception("\"chat_template\" in " + file
                        + " is neither a string nor a list of {name, template}: fix the file");
            }
        }
        Path jinja = dir.resolve(CHAT_TEMPLATE_FILE);
        if (Files.isRegularFile(jinja)) {
            try {
                return Optional.of(Files.readString(jinja));
            } catch (IOException e) {
                throw new Qf2Exception("cannot read " + jinja + " (" + e.getMessage() + "): check the file", e);
            }
        }
        return Optional.empty();
    }

    private static String namedTemplate(JsonNode templates, Path file) {
        JsonNode chosen = templates.get(0);
        for (JsonNode candidate : templates) {
            if ("default".equals(candidate.path("name").asText(null))) {
                chosen = candidate;
            }
        }
        JsonNode text = chosen.get("template");
        if (text == null || !text.isTextual()) {
            throw new Qf2Exception("\"chat_template\" in " + file + " lists an entry without a \"template\" string"
                    + ": fix the file");
        }
        return text.textValue();
    }
}
