package dev.qf2.checkpoint;

import dev.qf2.Qf2Exception;

import java.nio.file.Path;

/** The element types a safetensors file can hold, named as in its header ({@code "F32"}, {@code "BF16"}, ...). */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether the type holds floating-point numbers that {@code readF32} can widen or narrow to float32. */
    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * Parses the dtype string of a safetensors header entry.
     *
     * @param text the header's {@code "dtype"} value, e.g. {@code "BF16"}
     * @param file the file being read, for the error message
     * @param tensor the tensor whose entry holds the value, for the error message
     * @throws Qf2Exception if the string names no supported type
     */
    public static DType parse(String text, Path file, String tensor) {
        for (DType type : values()) {
            if (type.name().equals(text)) {
                return type;
            }
        }
        throw new Qf2Exception("unknown dtype \"" + text + "\" for tensor " + tensor + " in " + file
                + ": supported are F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
    }
}
