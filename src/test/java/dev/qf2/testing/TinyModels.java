package dev.qf2.testing;

import dev.qf2.bench.ByteTokenizer;
import dev.qf2.checkpoint.RandomCheckpoint;
import java.nio.file.Path;

/** Small random Qwen2 checkpoints for tests that need a real model directory on disk. */
public final class TinyModels {

    private TinyModels() {}

    /**
     * Writes {@link RandomCheckpoint.Shape#TINY} with random float32 weights and no tokenizer: config.json and
     * model.safetensors.
     *
     * @param dir the model directory to create; it must not exist, or be empty (a {@code @TempDir} will do)
     * @param seed the same seed gives the same weights
     * @return {@code dir}
     */
    public static Path write(Path dir, long seed) {
        return RandomCheckpoint.write(dir, RandomCheckpoint.Shape.TINY, seed);
    }

    /** As {@link #write}, plus the byte-level tokenizer, so that every command and the QF2 API can use it. */
    public static Path writeWithTokenizer(Path dir, long seed) {
        write(dir, seed);
        ByteTokenizer.write(dir.resolve("tokenizer.json"));
        return dir;
    }
}
