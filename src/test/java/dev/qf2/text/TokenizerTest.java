package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    private static Tokenizer tokenizer;

    /** Loads the 11 MB tokenizer once per class; skips the test when the golden data is absent. */
    private static Tokenizer tokenizer() {
        Path file = GoldenFiles.tokenizerJson();
        if (tokenizer == null) {
            tokenizer = Tokenizer.load(file);
        }
        return tokenizer;
    }

    @AfterAll
    static void closeTokenizer() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void encodesEveryGoldenCheckToItsExactIds() {
        JsonNode checks = GoldenFiles.json().at("/tokenizer/encode_checks");
        assertThat(checks.size()).isEqualTo(32);
        for (JsonNode check : checks) {
            String text = check.get("text").asText();
            assertThat(tokenizer().encode(text)).as("encode %s", text).containsExactly(GoldenFiles.ints(check.get("ids")));
        }
    }

    @Test
    void decodesEveryGoldenCheckToItsExactText() {
        JsonNode checks = GoldenFiles.json().at("/tokenizer/decode_checks");
        assertThat(checks.size()).isEqualTo(12);
        for (JsonNode check : checks) {
            int[] ids = GoldenFiles.ints(check.get("ids"));
            assertThat(tokenizer().decode(ids)).isEqualTo(check.get("text").asText());
        }
    }

    @Test
    void encodesLongTextWithoutTruncation() {
        String text = " word".repeat(2000);
        assertThat(tokenizer().encode(text)).hasSize(2000).containsOnly(3409);
    }
}
