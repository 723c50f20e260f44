package dev.qf2.checkpoint;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** A tensor to write, given by its header entry and a source of its bytes. */
record DefinedTensor(String name, DType dtype, long[] shape, TensorData.Source source) implements TensorData {

    DefinedTensor {
        shape = shape.clone();
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape");
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public void writeTo(WritableByteChannel out) throws IOException {
        source.writeTo(out);
    }
}
