package dev.qf2.checkpoint;

import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One safetensors file, opened for reading: the header is parsed and validated up front, tensor data is
 * memory-mapped on demand, one region per request, so files and offsets beyond 2 GiB work.
 *
 * <p>Ownership: every buffer and array handed out stays valid after {@link #close()}. Closing only releases the
 * file handle; a mapping is released by the garbage collector once no buffer refers to it.
 */
public final class SafeTensorsFile implements TensorStore {

    /** Mapped regions used while converting a tensor, so that a tensor above 2 GiB is read in pieces. */
    private static final int CHUNK_BYTES = 1 << 28;

    private final Path path;
    private final FileChannel channel;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;
    private volatile boolean closed;

    private SafeTensorsFile(Path path, FileChannel channel, SafeTensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.metadata = header.metadata;
        this.tensors = header.tensors;
    }

    /**
     * Opens a safetensors file and validates its header: the length, the JSON, every entry's dtype, shape and
     * data_offsets (in bounds, matching the shape, not overlapping another tensor).
     *
     * @throws Qf2Exception if the file is missing, unreadable or malformed; the message names the file and tensor
     */
    public static SafeTensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new Qf2Exception("no such file " + path + ": check the path", e);
        } catch (IOException e) {
            throw new Qf2Exception("cannot open " + path + " (" + e.getMessage() + "): check its permissions", e);
        }
        try {
            return new SafeTensorsFile(path, channel, SafeTensorsHeader.read(channel, path));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new Qf2Exception("cannot read " + path + " (" + e.getMessage() + "): check the disk and file", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The file this was opened from. */
    @Override
    public Path path() {
        return path;
    }

    /** Returns {@link #path()}: a single file holds every tensor. */
    @Override
    public Path fileOf(String name) {
        info(name);
        return path;
    }

    /** Every tensor by name, in header order (unmodifiable). */
    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} strings (unmodifiable; empty if absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The tensor's entry.
     *
     * @throws Qf2Exception if the file holds no tensor of that name
     */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new Qf2Exception("no tensor " + name + " in " + path + ": the checkpoint does not match the model");
        }
        return info;
    }

    /**
     * Maps a tensor's raw bytes.
     *
     * @return a read-only little-endian buffer of {@code byteLength} bytes, the tensor in its stored dtype
     * @throws Qf2Exception if the tensor is 2 GiB or larger: use {@link #mapRange} to read it in pieces
     */
    public ByteBuffer mapRaw(String name) {
        TensorInfo info = info(name);
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw new Qf2Exception("tensor " + name + " in " + path + " has " + info.byteLength()
                    + " bytes, too many for one buffer: read it in pieces with mapRange");
        }
        return mapRange(name, 0, (int) info.byteLength());
    }

    /**
     * Maps part of a tensor's raw bytes, for tensors too large for one buffer.
     *
     * @param byteOffset the first byte, counted from the start of the tensor's data
     * @param byteCount how many bytes; {@code byteOffset + byteCount} must not pass the tensor's end
     * @return a read-only little-endian buffer of {@code byteCount} bytes
     */
    public ByteBuffer mapRange(String name, long byteOffset, int byteCount) {
        TensorInfo info = info(name);
        if (byteOffset < 0 || byteCount < 0 || byteOffset + byteCount > info.byteLength()) {
            throw new IllegalArgumentException("range " + byteOffset + "+" + byteCount + " outside tensor " + info);
        }
        checkOpen();
        if (byteCount == 0) {
            return ByteBuffer.allocateDirect(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, info.dataOffset() + byteOffset, byteCount)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new Qf2Exception("cannot map tensor " + name + " of " + path + " (" + e.getMessage()
                    + "): check that the file is intact and memory is available", e);
        }
    }

    /**
     * The tensor as float32: F32 is returned as the mapped region itself (no copy, read-only), F16 and BF16 are
     * widened exactly and F64 is narrowed into a new buffer.
     *
     * @return a direct buffer in native byte order holding {@code numel} floats, row-major over the shape
     * @throws Qf2Exception if the dtype is not floating point or the float32 tensor would exceed 2 GiB
     */
    @Override
    public ByteBuffer readF32(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloating()) {
            throw new Qf2Exception("tensor " + name + " in " + path + " is " + info.dtype()
                    + ", not a floating-point type: it cannot be read as float32");
        }
        long numel = info.numel();
        if (numel > Integer.MAX_VALUE / Float.BYTES) {
            throw new Qf2Exception("tensor " + name + " in " + path + " has " + numel
                    + " elements, too many for one float32 buffer: read it in pieces with mapRange");
        }
        if (info.dtype() == DType.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return mapRaw(name).order(ByteOrder.nativeOrder());
        }

        ByteBuffer out = ByteBuffer.allocateDirect((int) numel * Float.BYTES).order(ByteOrder.nativeOrder());
        FloatBuffer floats = out.asFloatBuffer();
        forEachChunk(info, chunk -> {
            switch (info.dtype()) {
                case F32 -> floats.put(chunk.asFloatBuffer());
                case F16 -> {
                    while (chunk.hasRemaining()) {
                        floats.put(HalfFloats.halfToFloat(chunk.getShort()));
                    }
                }
                case BF16 -> {
                    while (chunk.hasRemaining()) {
                        floats.put(HalfFloats.bf16ToFloat(chunk.getShort()));
                    }
                }
                case F64 -> {
                    while (chunk.hasRemaining()) {
                        floats.put((float) chunk.getDouble());
                    }
                }
                default -> throw new AssertionError(info.dtype());
            }
        });
        return out;
    }

    /**
     * The tensor as a float array (see {@link #readF32}), row-major over its shape.
     *
     * @throws Qf2Exception if the dtype is not floating point
     */
    @Override
    public float[] readFloats(String name) {
        FloatBuffer floats = readF32(name).asFloatBuffer();
        float[] values = new float[floats.remaining()];
        floats.get(values);
        return values;
    }

    /**
     * The tensor as a double array: F64 as stored, other floating-point dtypes widened exactly from float32.
     *
     * @throws Qf2Exception if the dtype is not floating point
     */
    public double[] readDoubles(String name) {
        TensorInfo info = info(name);
        if (info.dtype() != DType.F64) {
            float[] floats = readFloats(name);
            double[] values = new double[floats.length];
            for (int i = 0; i < floats.length; i++) {
                values[i] = floats[i];
            }
            return values;
        }
        double[] values = new double[arrayLength(info)];
        int[] filled = {0};
        forEachChunk(info, chunk -> {
            DoubleBuffer doubles = chunk.asDoubleBuffer();
            int count = doubles.remaining();
            doubles.get(values, filled[0], count);
            filled[0] += count;
        });
        return values;
    }

    /**
     * The tensor as a long array, widened from any integer dtype (I64, I32, I16, I8, U8 as unsigned).
     *
     * @throws Qf2Exception if the dtype is not an integer type
     */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        DType dtype = info.dtype();
        if (dtype.isFloating() || dtype == DType.BOOL) {
            throw new Qf2Exception("tensor " + name + " in " + path + " is " + dtype
                    + ", not an integer type: it cannot be read as longs");
        }
        long[] values = new long[arrayLength(info)];
        int[] filled = {0};
        forEachChunk(info, chunk -> {
            while (chunk.hasRemaining()) {
                values[filled[0]++] = switch (dtype) {
                    case I64 -> chunk.getLong();
                    case I32 -> chunk.getInt();
                    case I16 -> chunk.getShort();
                    case I8 -> chunk.get();
                    case U8 -> chunk.get() & 0xff;
                    default -> throw new AssertionError(dtype);
                };
            }
        });
        return values;
    }

    /** Releases the file handle; buffers already handed out stay readable. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private int arrayLength(TensorInfo info) {
        long numel = info.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new Qf2Exception("tensor " + info.name() + " in " + path + " has " + numel
                    + " elements, too many for one array: read it in pieces with mapRange");
        }
        return (int) numel;
    }

    /** Hands the tensor's bytes to the consumer in mapped pieces of at most CHUNK_BYTES, element-aligned. */
    private void forEachChunk(TensorInfo info, Consumer<ByteBuffer> consumer) {
        long chunk = CHUNK_BYTES - CHUNK_BYTES % info.dtype().byteSize();
        for (long done = 0; done < info.byteLength(); done += chunk) {
            int count = (int) Math.min(chunk, info.byteLength() - done);
            consumer.accept(mapRange(info.name(), done, count));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was written through this channel, so a failed close loses nothing.
        }
    }
}
