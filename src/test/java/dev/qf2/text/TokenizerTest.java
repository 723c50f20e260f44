package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @Test
    void encodesEveryGoldenCheckToItsExactIds() {
        JsonNode checks = GoldenFiles.json().at("/tokenizer/encode_checks");
        assertThat(checks.size()).isEqualTo(32);
        for (JsonNode check : checks) {
            String text = check.get("text").asText();
            assertThat(GoldenFiles.tokenizer().encode(text)).as("encode %s", text)
                    .containsExactly(GoldenFiles.ints(check.get("ids")));
        }
    }

    @Test
    void encodingManyTextsAtOnceGivesTheIdsOfEachAlone() {
        JsonNode checks = GoldenFiles.json().at("/tokenizer/encode_checks");
        java.util.List<String> texts = new java.util.ArrayList<>();
        for (JsonNode check : checks) {
            texts.add(check.get("text").asText());
        }

        java.util.List<int[]> all = GoldenFiles.tokenizer().encodeAll(texts);

        assertThat(all).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(all.get(i)).as(texts.get(i)).containsExactly(GoldenFiles.tokenizer().encode(texts.get(i)));
        }
    }

    @Test
    void decodesEveryGoldenCheckToItsExactText() {
        JsonNode checks = GoldenFiles.json().at("/tokenizer/decode_checks");
        assertThat(checks.size()).isEqualTo(12);
        for (JsonNode check : checks) {
            int[] ids = GoldenFiles.ints(check.get("ids"));
            assertThat(GoldenFiles.tokenizer().decode(ids)).isEqualTo(check.get("text").asText());
        }
    }

    @Test
    void encodesLongTextWithoutTruncation() {
        String text = " word".repeat(2000);

        assertThat(GoldenFiles.tokenizer().encode(text)).hasSize(2000).containsOnly(3409);
    }

    @Test
    void encodesToLongsLikeToInts() {
        assertThat(GoldenFiles.tokenizer().encodeToLongs("assistant: Qi.\n"))
                .containsExactly(77091L, 25L, 56994L, 624L);
    }

    @Test
    void recognisesSpecialTokenStringsInText() {
        assertThat(GoldenFiles.tokenizer().encode("hi<|im_end|>")).containsExactly(6023, 151645);
    }

    @Test
    void keepsSpecialTokensWhenDecoding() {
        assertThat(GoldenFiles.tokenizer().decode(new int[] {151644, 8948, 198, 6023, 151645}))
                .isEqualTo("<|im_start|>system\nhi<|im_end|>");
    }

    @Test
    void decodesSingleTokens() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();

        assertThat(tokenizer.decodeToken(659)).isEqualTo(" .");
        assertThat(tokenizer.decodeToken(624)).isEqualTo(".\n");
        assertThat(tokenizer.decodeToken(151645)).isEqualTo("<|im_end|>");
    }

    @Test
    void looksUpExactVocabularyStrings() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();

        assertThat(tokenizer.tokenId("<|im_end|>")).contains(151645);
        assertThat(tokenizer.tokenId("Ġ.")).contains(659);
        assertThat(tokenizer.tokenId("assistant")).contains(77091);
        assertThat(tokenizer.tokenId("no such token")).isEmpty();
    }

    @Test
    void findsSingleTokenTextsOnly() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();

        assertThat(tokenizer.singleTokenId(".\n")).contains(624);
        assertThat(tokenizer.singleTokenId(" Oxinnovate")).isEmpty();
        assertThat(tokenizer.singleTokenId("")).isEmpty();
    }

    @Test
    void countsBaseVocabularyAndAddedTokens() {
        assertThat(GoldenFiles.tokenizer().vocabSize()).isEqualTo(151669);
    }

    @Test
    void loadsFromTheCheckpointFolder() {
        try (Tokenizer fromFolder = Tokenizer.load(GoldenFiles.dir().resolve("model"))) {
            assertThat(fromFolder.encode("assistant:")).containsExactly(77091, 25);
        }
    }

    @Test
    void reportsAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("tokenizer.json");

        assertThatThrownBy(() -> Tokenizer.load(dir))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageStartingWith("cannot read tokenizer " + missing + ": no such file;");
    }

    @Test
    void reportsACorruptFileOnOneLine(@TempDir Path dir) throws IOException {
        Path corrupt = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": [1, 2");

        assertThatThrownBy(() -> Tokenizer.load(corrupt))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageStartingWith("cannot read tokenizer " + corrupt + ": ")
                .hasMessageContaining("; point to the tokenizer.json")
                .hasMessageNotContaining("\n");
    }
}
