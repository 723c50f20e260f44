package dev.qf2.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.testing.Goldens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Locates the golden data of the tiny random Qwen2 model, which lives in a shared folder beside the checkout
 * ({@code ../shared}, or the folder named by the environment variable {@code QF2_SHARED}). Tests that need it
 * are skipped when it is absent.
 */
final class GoldenFiles {

    private static JsonNode goldens;
    private static Tokenizer tokenizer;

    private GoldenFiles() {}

    /** The golden folder {@code golden/qf2-tiny-random}; skips the calling test when it is absent. */
    static Path dir() {
        return Goldens.dir();
    }

    /** The golden model's {@code tokenizer.json} (the real Qwen2 vocabulary). */
    static Path tokenizerJson() {
        return dir().resolve("model/tokenizer.json");
    }

    /**
     * The golden tokenizer, loaded once for the whole test run (11 MB) and released when the JVM exits.
     * Skips the calling test when the golden data is absent.
     */
    static synchronized Tokenizer tokenizer() {
        Path file = tokenizerJson();
        if (tokenizer == null) {
            tokenizer = Tokenizer.load(file);
        }
        return tokenizer;
    }

    /** The parsed {@code goldens.json}. */
    static synchronized JsonNode json() {
        if (goldens == null) {
            try {
                goldens = new ObjectMapper().readTree(dir().resolve("goldens.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return goldens;
    }

    /** A JSON array of integers as an {@code int[]}. */
    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).intValue();
        }
        return values;
    }

    /** A JSON array of numbers as a {@code double[]}. */
    static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).doubleValue();
        }
        return values;
    }
}
