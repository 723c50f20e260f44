package dev.qf2.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.checkpoint.SafeTensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The golden data of the tiny random Qwen2 model: outputs of the reference code kept in a shared folder beside
 * the checkout ({@code ../shared}, or the folder named by the environment variable {@code QF2_SHARED}). Every
 * accessor skips the calling test, with a message saying where it looked, when the folder is absent.
 */
public final class Goldens {

    private static JsonNode json;
    private static SafeTensorsFile tensors;

    private Goldens() {}

    /** The folder {@code golden/qf2-tiny-random}. */
    public static Path dir() {
        String shared = System.getenv("QF2_SHARED");
        Path sharedDir = shared != null && !shared.isBlank()
                ? Path.of(shared)
                : Path.of(System.getProperty("user.dir")).resolve("../shared");
        Path dir = sharedDir.resolve("golden/qf2-tiny-random").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(dir.resolve("goldens.json")),
                "golden data not found at " + dir + ": these tests need ../shared beside the checkout; skipped");
        return dir;
    }

    /** The tiny model's Hugging Face directory. */
    public static Path modelDir() {
        return dir().resolve("model");
    }

    /** The parsed {@code goldens.json}. */
    public static synchronized JsonNode json() {
        if (json == null) {
            try {
                json = new ObjectMapper().readTree(dir().resolve("goldens.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    /** Prints a measured difference from the golden data, so that a test run reports how close it came. */
    public static double report(String what, double error) {
        System.out.printf("golden %s: %.3g%n", what, error);
        return error;
    }

    /** A golden tensor as float32 values, row-major. */
    public static float[] f32(String name) {
        return tensors().readFloats(name);
    }

    /** A golden tensor as float64 values, row-major. */
    public static double[] f64(String name) {
        return tensors().readDoubles(name);
    }

    /** A golden integer tensor as longs, row-major. */
    public static long[] i64(String name) {
        return tensors().readLongs(name);
    }

    /** A golden tensor's shape. */
    public static long[] shape(String name) {
        return tensors().info(name).shape();
    }

    /** Whether {@code goldens.safetensors} holds a tensor of that name. */
    public static boolean has(String name) {
        return tensors().tensors().containsKey(name);
    }

    private static synchronized SafeTensorsFile tensors() {
        if (tensors == null) {
            tensors = SafeTensorsFile.open(dir().resolve("goldens.safetensors"));
        }
        return tensors;
    }
}
