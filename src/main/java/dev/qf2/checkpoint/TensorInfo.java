package dev.qf2.checkpoint;

import java.util.Arrays;

/**
 * Where one tensor lives in a safetensors file.
 *
 * @param name the tensor's name in the checkpoint, e.g. {@code model.layers.0.mlp.up_proj.weight}
 * @param dtype the element type
 * @param shape the dimensions, outermost first ({@code [out, in]} for a linear layer's weight); empty for a scalar
 * @param dataOffset the absolute byte offset of the first element in the file (header included)
 * @param byteLength the number of data bytes, {@code numel() * dtype.byteSize()}
 */
public record TensorInfo(String name, DType dtype, long[] shape, long dataOffset, long byteLength) {

    /** Copies the shape so that the record stays immutable. */
    public TensorInfo {
        shape = shape.clone();
    }

    /** Returns a copy of the dimensions. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements: the product of the dimensions (1 for a scalar). */
    public long numel() {
        return numel(shape);
    }

    /** The product of the dimensions, 1 for an empty shape. */
    static long numel(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && dataOffset == that.dataOffset
                && byteLength == that.byteLength;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape) + Long.hashCode(dataOffset);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + dataOffset + "+" + byteLength;
    }
}
