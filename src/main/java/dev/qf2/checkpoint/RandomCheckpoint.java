package dev.qf2.checkpoint;

import dev.qf2.Qf2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face Qwen2ForCausalLM model directory with random float32 weights: a {@code config.json} and a
 * {@code model.safetensors} that {@code transformers} and this project load like a real checkpoint.
 *
 * <p>Every linear weight, the embedding and the q/k/v biases are drawn from an approximately normal distribution
 * (the sum of four uniforms, bounded at about 3.5 standard deviations) with mean 0 and standard deviation
 * {@link #INIT_STD}; every RMSNorm weight is exactly 1. Each tensor has its own generator, seeded from the
 * checkpoint's seed and the tensor's name, so the same seed always gives the same bytes.
 *
 * <p>The weights are generated and written one piece at a time, never held in memory together, into a hidden
 * staging directory beside the target that is renamed into place only once complete: an interrupted write leaves
 * no directory that looks like a finished checkpoint.
 */
public final class RandomCheckpoint {

    /** Standard deviation of the random weights and biases: Qwen2's {@code initializer_range}. */
    public static final double INIT_STD = 0.02;

    /** The Qwen2 tokenizer's {@code <|endoftext|>} and {@code <|im_end|>}, recorded when the vocabulary holds them. */
    private static final int QWEN2_BOS_TOKEN_ID = 151643;
    private static final int QWEN2_EOS_TOKEN_ID = 151645;

    /** Tokenizer files copied from a tokenizer directory; the first is required. */
    private static final List<String> TOKENIZER_FILES = List.of(ModelDirectory.TOKENIZER_FILE,
            ModelDirectory.TOKENIZER_CONFIG_FILE, ModelDirectory.CHAT_TEMPLATE_FILE);

    /** Floats generated per write: 256 KiB pieces. */
    private static final int CHUNK_FLOATS = 1 << 16;

    private static final Logger LOG = LoggerFactory.getLogger(RandomCheckpoint.class);

    private RandomCheckpoint() {}

    /**
     * The sizes of a Qwen2 model. H = {@code hiddenSize}, I = {@code intermediateSize}, V = {@code vocabSize};
     * the head width is H / {@code numAttentionHeads}.
     *
     * @param name what the shape is called, e.g. {@code "tiny"}; {@link #named} finds the presets by it
     * @param vocabSize V, rows of the embedding (and of lm_head when untied)
     * @param hiddenSize H, the width of the residual stream
     * @param intermediateSize I, the width of the MLP
     * @param numHiddenLayers the number of decoder layers
     * @param numAttentionHeads the number of query heads; must divide H into an even head width
     * @param numKeyValueHeads the number of key/value heads; must divide the query heads
     * @param maxPositionEmbeddings the longest sequence
     * @param ropeTheta the RoPE base
     * @param rmsNormEps the epsilon inside RMSNorm
     * @param tieWordEmbeddings whether lm_head shares the embedding (then there is no lm_head.weight)
     */
    public record Shape(String name, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
            int numAttentionHeads, int numKeyValueHeads, int maxPositionEmbeddings, double ropeTheta,
            double rmsNormEps, boolean tieWordEmbeddings) {

        /** Qwen2.5-1.5B(-Instruct): 1,543,714,304 parameters, about 5.8 GiB as float32. */
        public static final Shape QWEN2_5_1_5B = new Shape("qwen2.5-1.5b", 151936, 1536, 8960, 28, 12, 2, 32768,
                1_000_000.0, 1e-6, true);

        /** A model small enough for unit tests: 2 layers of width 32, head width 8, vocabulary 300. */
        public static final Shape TINY = new Shape("tiny", 300, 32, 64, 2, 4, 2, 256, 10000.0, 1e-6, true);

        /**
         * Checks the sizes.
         *
         * @throws Qf2Exception if a size is not positive or the heads do not divide the widths
         */
        public Shape {
            if (name == null || name.isBlank()) {
                throw new Qf2Exception("a model shape needs a name");
            }
            requirePositive(name, "vocab_size", vocabSize);
            requirePositive(name, "hidden_size", hiddenSize);
            requirePositive(name, "intermediate_size", intermediateSize);
            requirePositive(name, "num_hidden_layers", numHiddenLayers);
            requirePositive(name, "num_attention_heads", numAttentionHeads);
            requirePositive(name, "num_key_value_heads", numKeyValueHeads);
            requirePositive(name, "max_position_embeddings", maxPositionEmbeddings);
            if (hiddenSize % numAttentionHeads != 0 || (hiddenSize / numAttentionHeads) % 2 != 0) {
                throw new Qf2Exception("invalid model shape " + name + ": hidden_size " + hiddenSize
                        + " must be num_attention_heads " + numAttentionHeads + " times an even head width");
            }
            if (numAttentionHeads % numKeyValueHeads != 0) {
                throw new Qf2Exception("invalid model shape " + name + ": num_key_value_heads " + numKeyValueHeads
                        + " must divide num_attention_heads " + numAttentionHeads);
            }
            if (!(ropeTheta > 0) || !(rmsNormEps > 0)) {
                throw new Qf2Exception("invalid model shape " + name
                        + ": rope_theta and rms_norm_eps must be positive");
            }
        }

        /** The presets, in the order {@link #named} lists them. */
        public static List<Shape> presets() {
            return List.of(QWEN2_5_1_5B, TINY);
        }

        /**
         * Finds a preset by name, ignoring case.
         *
         * @throws Qf2Exception listing the valid names if there is no such preset
         */
        public static Shape named(String name) {
            for (Shape preset : presets()) {
                if (preset.name().equalsIgnoreCase(name.strip())) {
                    return preset;
                }
            }
            String valid = presets().stream().map(Shape::name).collect(Collectors.joining(", "));
            throw new Qf2Exception("unknown model shape \"" + name + "\": choose one of " + valid);
        }

        /** The shape of an existing config, e.g. to make random weights for a real model's config.json. */
        public static Shape of(String name, Qwen2Config config) {
            return new Shape(name, config.vocabSize(), config.hiddenSize(), config.intermediateSize(),
                    config.numHiddenLayers(), config.numAttentionHeads(), config.numKeyValueHeads(),
                    config.maxPositionEmbeddings(), config.ropeTheta(), config.rmsNormEps(),
                    config.tieWordEmbeddings());
        }

        /** This shape with lm_head tied to the embedding or given its own weight. */
        public Shape withTieWordEmbeddings(boolean tied) {
            return new Shape(name, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                    numKeyValueHeads, maxPositionEmbeddings, ropeTheta, rmsNormEps, tied);
        }

        /** hd = H / heads, the width of one attention head. */
        public int headDim() {
            return hiddenSize / numAttentionHeads;
        }

        /**
         * The config.json of a float32 checkpoint of this shape. Qwen2's bos and eos ids (151643, 151645) are
         * recorded when the vocabulary holds them, so that a copied Qwen2 tokenizer and the config agree.
         */
        public Qwen2Config config() {
            Qwen2Config.Builder builder = Qwen2Config.builder()
                    .vocabSize(vocabSize)
                    .hiddenSize(hiddenSize)
                    .intermediateSize(intermediateSize)
                    .numHiddenLayers(numHiddenLayers)
                    .numAttentionHeads(numAttentionHeads)
                    .numKeyValueHeads(numKeyValueHeads)
                    .maxPositionEmbeddings(maxPositionEmbeddings)
                    .ropeTheta(ropeTheta)
                    .rmsNormEps(rmsNormEps)
                    .tieWordEmbeddings(tieWordEmbeddings)
                    .torchDtype("float32");
            if (vocabSize > QWEN2_EOS_TOKEN_ID) {
                builder.bosTokenId(QWEN2_BOS_TOKEN_ID).eosTokenId(QWEN2_EOS_TOKEN_ID);
            }
            return builder.build();
        }

        /** The number of weights in the checkpoint (a tied lm_head counted once). */
        public long parameterCount() {
            long count = 0;
            for (long[] shape : Qwen2TensorLayout.expectedShapes(config()).values()) {
                count += TensorInfo.numel(shape);
            }
            return count;
        }

        private static void requirePositive(String name, String field, int value) {
            if (value <= 0) {
                throw new Qf2Exception("invalid model shape " + name + ": " + field + " must be positive (got "
                        + value + ")");
            }
        }
    }

    /**
     * Writes a checkpoint without tokenizer files.
     *
     * @see #write(Path, Shape, long, Path)
     */
    public static Path write(Path dir, Shape shape, long seed) {
        return writeDirectory(dir, shape, seed, null);
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (float32, {@code format=pt}, tensors named as in
     * Hugging Face checkpoints) into a new directory, and copies the tokenizer files if a tokenizer directory is
     * given: {@code tokenizer.json}, and {@code tokenizer_config.json} and {@code chat_template.jinja} where present.
     * The vocabulary must then cover the tokenizer's ids.
     *
     * @param dir the model directory to create; it must not exist, or be empty
     * @param shape the sizes of the model
     * @param seed the same seed gives the same bytes
     * @param tokenizerDir a directory holding {@code tokenizer.json}, e.g. the real model's
     * @return {@code dir}
     * @throws Qf2Exception if {@code dir} holds files, the tokenizer directory has no tokenizer.json, or the disk
     *     refuses the write; {@code dir} is then left as it was
     */
    public static Path write(Path dir, Shape shape, long seed, Path tokenizerDir) {
        return writeDirectory(dir, shape, seed, Objects.requireNonNull(tokenizerDir, "tokenizerDir"));
    }

    private static Path writeDirectory(Path dir, Shape shape, long seed, Path tokenizerDir) {
        long start = System.nanoTime();
        Path target = dir.toAbsolutePath().normalize();
        checkTarget(target);
        if (tokenizerDir != null && !Files.isRegularFile(tokenizerDir.resolve(ModelDirectory.TOKENIZER_FILE))) {
            throw new Qf2Exception("no " + ModelDirectory.TOKENIZER_FILE + " in " + tokenizerDir
                    + ": give the directory of the model whose tokenizer to copy");
        }

        Path staging = createStaging(target);
        boolean moved = false;
        try {
            Qwen2Config config = shape.config();
            AtomicFile.writeString(staging.resolve(Qwen2Config.FILE_NAME), config.toJsonString());
            SafeTensorsWriter.write(staging.resolve(TensorStore.SINGLE_FILE), Map.of("format", "pt"),
                    randomTensors(config, seed));
            if (tokenizerDir != null) {
                copyTokenizer(tokenizerDir, staging);
            }
            moveIntoPlace(staging, target);
            moved = true;
        } catch (IOException e) {
            throw new Qf2Exception("cannot write the checkpoint " + target + " (" + e + ")"
                    + ": check free disk space and permissions", e);
        } finally {
            if (!moved) {
                deleteQuietly(staging);
            }
        }

        LOG.info("random checkpoint written: {}, shape {}, {} parameters, F32, seed {}, {} s", target, shape.name(),
                shape.parameterCount(), seed, String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return dir;
    }

    /** One streamed F32 tensor per tensor of the layout: RMSNorm weights 1, everything else random. */
    private static List<TensorData> randomTensors(Qwen2Config config, long seed) {
        List<TensorData> tensors = new ArrayList<>();
        Qwen2TensorLayout.expectedShapes(config).forEach((name, shape) -> {
            boolean isNorm = name.endsWith("layernorm.weight") || name.equals("model.norm.weight");
            long count = TensorInfo.numel(shape);
            tensors.add(TensorData.streamed(name, DType.F32, shape, isNorm
                    ? out -> writeFloats(out, count, null)
                    : out -> writeFloats(out, count, new SplittableRandom(tensorSeed(seed, name)))));
        });
        return tensors;
    }

    /** Writes {@code count} little-endian floats: random ones from the generator, or ones if it is null. */
    private static void writeFloats(WritableByteChannel out, long count, SplittableRandom random) throws IOException {
        float[] values = new float[CHUNK_FLOATS];
        ByteBuffer bytes = ByteBuffer.allocateDirect(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        if (random == null) {
            Arrays.fill(values, 1f);
        }
        for (long done = 0; done < count; done += CHUNK_FLOATS) {
            int n = (int) Math.min(CHUNK_FLOATS, count - done);
            if (random != null) {
                fillNormalish(random, values, n);
            }
            floats.clear();
            floats.put(values, 0, n);
            bytes.clear().limit(n * Float.BYTES);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Fills {@code values[0, n)} with approximately normal numbers of mean 0 and standard deviation INIT_STD: each
     * is the centred sum of the four 16-bit quarters of one random long (Irwin-Hall with four terms).
     */
    private static void fillNormalish(SplittableRandom random, float[] values, int n) {
        // Each quarter is uniform on [0, 65535]: variance (65536^2 - 1) / 12, so the sum has (65536^2 - 1) / 3.
        double scale = INIT_STD / Math.sqrt((65536.0 * 65536.0 - 1) / 3);
        for (int i = 0; i < n; i++) {
            long bits = random.nextLong();
            long sum = (bits & 0xffff) + ((bits >>> 16) & 0xffff) + ((bits >>> 32) & 0xffff) + (bits >>> 48);
            values[i] = (float) ((sum - 2 * 65535) * scale);
        }
    }

    /** A tensor's own seed: the checkpoint's seed mixed with a 64-bit FNV-1a hash of the tensor's name. */
    static long tensorSeed(long seed, String name) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return seed ^ hash;
    }

    private static void checkTarget(Path target) {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new Qf2Exception("cannot write a checkpoint to " + target + ": it is a file, not a directory"
                    + ": choose a new directory");
        }
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new Qf2Exception("cannot write a checkpoint to " + target + ": the directory is not empty"
                        + ": choose a new directory or delete this one");
            }
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + target + " (" + e + "): check its permissions", e);
        }
    }

    /** A new hidden directory beside the target, on the same file system so that the final rename is atomic. */
    private static Path createStaging(Path target) {
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            Path staging = parent.resolve("." + target.getFileName() + ".partial-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            return Files.createDirectory(staging);
        } catch (IOException e) {
            throw new Qf2Exception("cannot create a directory in " + parent + " (" + e + ")"
                    + ": check free disk space and permissions", e);
        }
    }

    private static void copyTokenizer(Path tokenizerDir, Path staging) throws IOException {
        for (String file : TOKENIZER_FILES) {
            Path source = tokenizerDir.resolve(file);
            if (Files.isRegularFile(source)) {
                Files.copy(source, staging.resolve(file));
            }
        }
    }

    private static void moveIntoPlace(Path staging, Path target) throws IOException {
        // checkTarget found the target absent or empty; an empty one is replaced.
        Files.deleteIfExists(target);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Only file systems without an atomic rename get here; the checkpoint is already complete.
            Files.move(staging, target);
        }
    }

    /** Removes a staging directory after a failure; what cannot be removed stays hidden, named as partial. */
    private static void deleteQuietly(Path staging) {
        try (Stream<Path> paths = Files.walk(staging)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Left behind under a hidden ".partial-" name that no reader takes for a checkpoint.
                }
            });
        } catch (IOException ignored) {
            // As above: a leftover staging directory is harmless.
        }
    }
}
