package dev.qf2.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * One tensor to be written to a safetensors file: its header entry, and a source of its little-endian bytes
 * that may produce them piece by piece, so that a multi-gigabyte checkpoint never needs to be in memory at once.
 */
public interface TensorData {

    /** The tensor's name in the checkpoint. */
    String name();

    /** The stored element type. */
    DType dtype();

    /** The dimensions, outermost first. */
    long[] shape();

    /** The number of data bytes {@link #writeTo} must produce: {@code numel * dtype.byteSize()}. */
    default long byteLength() {
        return Math.multiplyExact(TensorInfo.numel(shape()), dtype().byteSize());
    }

    /** Writes exactly {@link #byteLength()} bytes: the elements, row-major, little-endian. */
    void writeTo(WritableByteChannel out) throws IOException;

    /** Produces a tensor's bytes into a channel. */
    @FunctionalInterface
    interface Source {
        /** Writes the tensor's bytes, row-major, little-endian. */
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** A tensor whose bytes come from a source, e.g. generated or converted on the fly. */
    static TensorData streamed(String name, DType dtype, long[] shape, Source source) {
        return new DefinedTensor(name, dtype, shape, source);
    }

    /**
     * A tensor given as its raw bytes.
     *
     * @param bytes the elements as stored, little-endian; read from its position to its limit, left unchanged
     */
    static TensorData ofBytes(String name, DType dtype, long[] shape, ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        requireLength(name, dtype, shape, view.remaining() / dtype.byteSize(), view.remaining() % dtype.byteSize());
        return streamed(name, dtype, shape, out -> {
            ByteBuffer remaining = view.duplicate();
            while (remaining.hasRemaining()) {
                out.write(remaining);
            }
        });
    }

    /**
     * A tensor given as floats, stored as F32, F16 or BF16 (rounded to nearest even) or F64.
     *
     * @param values {@code numel} elements, row-major over the shape
     */
    static TensorData ofFloats(String name, DType dtype, long[] shape, float[] values) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(name + ": floats cannot be stored as " + dtype);
        }
        requireLength(name, dtype, shape, values.length, 0);
        return streamed(name, dtype, shape, out -> {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float value : values) {
                if (chunk.remaining() < Double.BYTES) {
                    drain(chunk, out);
                }
                switch (dtype) {
                    case F32 -> chunk.putFloat(value);
                    case F16 -> chunk.putShort(HalfFloats.floatToHalf(value));
                    case BF16 -> chunk.putShort(HalfFloats.floatToBf16(value));
                    case F64 -> chunk.putDouble(value);
                    default -> throw new AssertionError(dtype);
                }
            }
            drain(chunk, out);
        });
    }

    /**
     * A tensor given as doubles, stored as F64 without rounding.
     *
     * @param values {@code numel} elements, row-major over the shape
     */
    static TensorData ofDoubles(String name, long[] shape, double[] values) {
        requireLength(name, DType.F64, shape, values.length, 0);
        return streamed(name, DType.F64, shape, out -> {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (double value : values) {
                if (chunk.remaining() < Double.BYTES) {
                    drain(chunk, out);
                }
                chunk.putDouble(value);
            }
            drain(chunk, out);
        });
    }

    /**
     * A tensor given as longs, stored as I64, I32, I16, I8 or U8 (each value truncated to the type's width).
     *
     * @param values {@code numel} elements, row-major over the shape
     */
    static TensorData ofLongs(String name, DType dtype, long[] shape, long[] values) {
        if (dtype.isFloating() || dtype == DType.BOOL) {
            throw new IllegalArgumentException(name + ": longs cannot be stored as " + dtype);
        }
        requireLength(name, dtype, shape, values.length, 0);
        return streamed(name, dtype, shape, out -> {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (long value : values) {
                if (chunk.remaining() < Long.BYTES) {
                    drain(chunk, out);
                }
                switch (dtype) {
                    case I64 -> chunk.putLong(value);
                    case I32 -> chunk.putInt((int) value);
                    case I16 -> chunk.putShort((short) value);
                    default -> chunk.put((byte) value);
                }
            }
            drain(chunk, out);
        });
    }

    /** Checks that the given data holds exactly one element per position of the shape. */
    private static void requireLength(String name, DType dtype, long[] shape, long elements, long leftoverBytes) {
        long numel = TensorInfo.numel(shape);
        if (elements != numel || leftoverBytes != 0) {
            throw new IllegalArgumentException(name + ": " + elements + " " + dtype + " elements given, shape "
                    + Arrays.toString(shape) + " needs " + numel);
        }
    }

    /** Writes the buffer's filled part and clears it for the next piece. */
    static void drain(ByteBuffer chunk, WritableByteChannel out) throws IOException {
        chunk.flip();
        while (chunk.hasRemaining()) {
            out.write(chunk);
        }
        chunk.clear();
    }
}
