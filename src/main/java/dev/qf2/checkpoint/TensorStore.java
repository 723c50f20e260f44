package dev.qf2.checkpoint;

import dev.qf2.Qf2Exception;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Read access to the named tensors of a checkpoint, whether one safetensors file or several shards.
 *
 * <p>Buffers and arrays handed out stay valid after {@link #close()}; closing releases the file handles.
 */
public interface TensorStore extends AutoCloseable {

    /** File name of a single-file Hugging Face checkpoint. */
    String SINGLE_FILE = "model.safetensors";

    /** File name of the index of a sharded Hugging Face checkpoint. */
    String SHARD_INDEX = "model.safetensors.index.json";

    /** Every tensor by name, in the order of the file (or of the shard index). */
    Map<String, TensorInfo> tensors();

    /** Whether the store holds a tensor of that name. */
    default boolean contains(String name) {
        return tensors().containsKey(name);
    }

    /** The file that describes this store: the safetensors file itself, or the shard index. */
    Path path();

    /**
     * The safetensors file that holds a tensor.
     *
     * @throws Qf2Exception if there is no such tensor
     */
    Path fileOf(String name);

    /**
     * The tensor as float32, widened from F16/BF16 or narrowed from F64 when stored otherwise.
     *
     * @return a direct buffer in {@link java.nio.ByteOrder#nativeOrder()} with {@code numel} floats, laid out as
     *     the stored tensor (row-major over its shape); it may be a read-only view of the file: never write into it
     * @throws Qf2Exception if the tensor is absent, not floating point, or above 2 GiB as float32
     */
    ByteBuffer readF32(String name);

    /**
     * The tensor as a float array (row-major over its shape), for small tensors and tests.
     *
     * @throws Qf2Exception if the tensor is absent or not floating point
     */
    float[] readFloats(String name);

    /** Releases the open files. */
    @Override
    void close();

    /**
     * Opens the weights of a Hugging Face model directory: {@code model.safetensors} if present, else the shards
     * listed by {@code model.safetensors.index.json}.
     *
     * @throws Qf2Exception if the directory holds neither, or a file is malformed
     */
    static TensorStore openDirectory(Path modelDir) {
        Path single = modelDir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return SafeTensorsFile.open(single);
        }
        Path index = modelDir.resolve(SHARD_INDEX);
        if (Files.isRegularFile(index)) {
            return ShardedTensorStore.open(index);
        }
        throw new Qf2Exception("no " + SINGLE_FILE + " or " + SHARD_INDEX + " in " + modelDir
                + ": point --model at a Hugging Face model directory");
    }
}
