package dev.qf2.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes safetensors files in the standard layout that Python's {@code safetensors} and {@code transformers}
 * load: an 8-byte little-endian header length N, N bytes of JSON ({@code __metadata__} first with its keys sorted,
 * then one {@code {"dtype", "shape", "data_offsets"}} entry per tensor) padded with spaces so that the data starts at
 * a multiple of 8, then every tensor's bytes back to back. Files are replaced atomically (see {@link AtomicFile}).
 */
public final class SafeTensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {}

    /**
     * Writes the tensors sorted by name, so that the same tensors always give the same bytes.
     *
     * @param metadata the {@code __metadata__} strings (e.g. {@code format=pt}); omitted from the header if empty
     * @throws dev.qf2.Qf2Exception if the file cannot be written
     */
    public static void write(Path file, Map<String, String> metadata, Collection<? extends TensorData> tensors) {
        List<TensorData> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(TensorData::name));
        writeInOrder(file, metadata, sorted);
    }

    /**
     * Writes the tensors in the given order (header entries and data alike).
     *
     * @throws IllegalArgumentException if two tensors share a name
     * @throws dev.qf2.Qf2Exception if the file cannot be written
     */
    public static void writeInOrder(Path file, Map<String, String> metadata, List<? extends TensorData> tensors) {
        byte[] header = header(metadata, tensors);
        AtomicFile.write(file, channel -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            for (TensorData tensor : tensors) {
                writeData(channel, tensor, file);
            }
        });
    }

    /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    static byte[] header(Map<String, String> metadata, List<? extends TensorData> tensors) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            // Sorted, so that a map with no fixed iteration order (Map.of, HashMap) still gives the same bytes.
            ObjectNode metadataNode = root.putObject(SafeTensorsHeader.METADATA_KEY);
            new TreeMap<>(metadata).forEach(metadataNode::put);
        }

        Set<String> names = new HashSet<>();
        long offset = 0;
        for (TensorData tensor : tensors) {
            if (tensor.name().equals(SafeTensorsHeader.METADATA_KEY) || !names.add(tensor.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name " + tensor.name());
            }
            ObjectNode entry = root.putObject(tensor.name());
            entry.put("dtype", tensor.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            long end = offset + tensor.byteLength();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }

        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            header[i] = ' ';
        }
        return header;
    }

    private static void writeData(FileChannel channel, TensorData tensor, Path file) throws IOException {
        CountingChannel counting = new CountingChannel(channel);
        tensor.writeTo(counting);
        if (counting.written != tensor.byteLength()) {
            throw new IllegalStateException("tensor " + tensor.name() + " for " + file + " wrote " + counting.written
                    + " bytes, its header entry announces " + tensor.byteLength());
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Passes writes through and counts the bytes, so that a source that writes too few or too many is caught. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel target;
        private long written;

        CountingChannel(WritableByteChannel target) {
            this.target = target;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            int count = target.write(source);
            written += count;
            return count;
        }

        @Override
        public boolean isOpen() {
            return target.isOpen();
        }

        @Override
        public void close() {
            // The file channel belongs to the writer, not to the tensor source.
        }
    }
}
