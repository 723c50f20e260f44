package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen2ConfigTest {

    /** The config.json of Qwen2.5-1.5B-Instruct. */
    private static final String QWEN2_5_1_5B_INSTRUCT = """
            {
              "architectures": ["Qwen2ForCausalLM"],
              "attention_dropout": 0.0,
              "bos_token_id": 151643,
              "eos_token_id": 151645,
              "hidden_act": "silu",
              "hidden_size": 1536,
              "initializer_range": 0.02,
              "intermediate_size": 8960,
              "max_position_embeddings": 32768,
              "max_window_layers": 21,
              "model_type": "qwen2",
              "num_attention_heads": 12,
              "num_hidden_layers": 28,
              "num_key_value_heads": 2,
              "rms_norm_eps": 1e-06,
              "rope_scaling": null,
              "rope_theta": 1000000.0,
              "sliding_window": 32768,
              "tie_word_embeddings": true,
              "torch_dtype": "bfloat16",
              "transformers_version": "4.43.1",
              "use_cache": true,
              "use_sliding_window": false,
              "vocab_size": 151936
            }
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheSizesOfQwen2_5_1_5B() throws IOException {
        Files.writeString(dir.resolve("config.json"), QWEN2_5_1_5B_INSTRUCT);

        Qwen2Config config = Qwen2Config.load(dir);

        assertThat(config.vocabSize()).isEqualTo(151936);
        assertThat(config.hiddenSize()).isEqualTo(1536);
        assertThat(config.intermediateSize()).isEqualTo(8960);
        assertThat(config.numHiddenLayers()).isEqualTo(28);
        assertThat(config.numAttentionHeads()).isEqualTo(12);
        assertThat(config.numKeyValueHeads()).isEqualTo(2);
        assertThat(config.headDim()).isEqualTo(128);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(32768);
        assertThat(config.rmsNormEps()).isEqualTo(1e-6);
        assertThat(config.ropeTheta()).isEqualTo(1e6);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.torchDtype()).contains("bfloat16");
        assertThat(config.bosTokenId()).contains(151643);
        assertThat(config.eosTokenIds()).containsExactly(151645);
        assertThat(config.qflayer()).isEmpty();
    }

    @Test
    void reEmitsUnknownFieldsUnchanged() throws IOException {
        Files.writeString(dir.resolve("config.json"), QWEN2_5_1_5B_INSTRUCT);

        ObjectNode json = Qwen2Config.load(dir.resolve("config.json")).toJson();

        assertThat(json.get("transformers_version").asText()).isEqualTo("4.43.1");
        assertThat(json.get("max_window_layers").asInt()).isEqualTo(21);
        assertThat(json.get("rope_scaling").isNull()).isTrue();
    }

    @Test
    void aBuiltConfigReadsBackWithTheSameSizes() {
        Qwen2Config built = Qwen2Config.builder().vocabSize(300).hiddenSize(32).intermediateSize(64)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(256)
                .ropeTheta(1e6).tieWordEmbeddings(true).build();

        Qwen2Config reread = Qwen2Config.fromJson(built.toJson(), dir.resolve("config.json"));

        assertThat(reread.toJson()).isEqualTo(built.toJson());
        assertThat(reread.headDim()).isEqualTo(8);
        assertThat(reread.numKeyValueHeads()).isEqualTo(2);
        assertThat(reread.ropeTheta()).isEqualTo(1e6);
        assertThat(reread.toJson().get("model_type").asText()).isEqualTo("qwen2");
        assertThat(built.toJsonString()).startsWith("{\n  \"architectures\" : [ \"Qwen2ForCausalLM\" ]")
                .endsWith("}\n");
    }

    @Test
    void qfFieldsAreAddedAndChecked() {
        Qwen2Config base = Qwen2Config.builder().vocabSize(300).hiddenSize(32).intermediateSize(64)
                .numHiddenLayers(2).numAttentionHeads(4).build();

        Qwen2Config edited = base.withQf(1, 10.0, 0.5);

        assertThat(edited.qflayer()).contains(1);
        assertThat(edited.qfbeta()).contains(10.0);
        assertThat(edited.qfcoeff()).contains(0.5);
        assertThat(failure(() -> base.withQf(2, 10.0, null)))
                .hasMessageContaining("qflayer 2 is not a layer of the 2-layer model");
    }

    @Test
    void theDefaultUpdateRuleIsRecordedAndChecked() {
        Qwen2Config base = Qwen2Config.builder().vocabSize(300).hiddenSize(32).intermediateSize(64)
                .numHiddenLayers(2).numAttentionHeads(4).build();

        Qwen2Config edited = base.withDefaultRule("whitened", 3.0);

        assertThat(base.qfrule()).isEmpty();
        assertThat(edited.qfrule()).contains("whitened");
        assertThat(edited.qfstrength()).contains(3.0);
        assertThat(edited.withDefaultRule("normalized", null).qfstrength()).isEmpty();
        assertThat(failure(() -> base.withDefaultRule("whitened", -1.0)))
                .hasMessageContaining("qfstrength -1.0 must be a positive number");
    }

    @Test
    void aMissingConfigNamesThePath() {
        Path file = dir.resolve("config.json");

        assertThat(failure(() -> Qwen2Config.load(dir)))
                .hasMessage("no config.json at " + file + ": point --model at a Hugging Face model directory");
    }

    @Test
    void anotherArchitectureIsUnsupported() throws IOException {
        Path file = writeConfig(QWEN2_5_1_5B_INSTRUCT.replace("Qwen2ForCausalLM", "LlamaForCausalLM"));

        assertThat(failure(() -> Qwen2Config.load(file))).hasMessage("unsupported architecture LlamaForCausalLM in "
                + file + ": only Qwen2ForCausalLM is supported");
    }

    @Test
    void aMissingRequiredFieldIsNamed() throws IOException {
        Path file = writeConfig(QWEN2_5_1_5B_INSTRUCT.replace("\"hidden_size\": 1536,", ""));

        assertThat(failure(() -> Qwen2Config.load(file)))
                .hasMessage("missing \"hidden_size\" in " + file + ": the file is incomplete");
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() throws IOException {
        Path file = writeConfig(
                QWEN2_5_1_5B_INSTRUCT.replace("\"num_hidden_layers\": 28", "\"num_hidden_layers\": \"28\""));

        assertThat(failure(() -> Qwen2Config.load(file)))
                .hasMessage("\"num_hidden_layers\" in " + file + " is \"28\", not an integer: fix the file");
    }

    @Test
    void headsThatDoNotDivideTheWidthAreInvalid() throws IOException {
        Path file = writeConfig(
                QWEN2_5_1_5B_INSTRUCT.replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 10"));

        assertThat(failure(() -> Qwen2Config.load(file))).hasMessageContaining(file.toString())
                .hasMessageContaining("num_attention_heads 10 does not divide hidden_size 1536");
    }

    @Test
    void aFileThatIsNotJsonCannotBeParsed() throws IOException {
        Path file = writeConfig("{\"architectures\": [\"Qwen2ForCausalLM\"],");

        assertThat(failure(() -> Qwen2Config.load(file))).hasMessageStartingWith("cannot parse " + file)
                .hasMessageEndingWith(": fix or re-download the file");
    }

    private Path writeConfig(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }

    /** Runs the call, expecting a one-line Qf2Exception. */
    private static Qf2Exception failure(Runnable call) {
        Qf2Exception error = catchThrowableOfType(Qf2Exception.class, call::run);
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).doesNotContain("\n");
        return error;
    }
}
