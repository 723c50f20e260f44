package dev.qf2.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.JsonSyntax;
import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of a safetensors file: an 8-byte little-endian length N, then N bytes of JSON
 * mapping each tensor name to its dtype, shape and data_offsets (relative to the end of the header), and an
 * optional {@code __metadata__} map of strings.
 */
final class SafeTensorsHeader {

    /** Name of the header entry that holds free-form string metadata instead of a tensor. */
    static final String METADATA_KEY = "__metadata__";

    /** Headers above this size are refused as corrupt; real ones are a few hundred kilobytes at most. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    final Map<String, String> metadata;
    final Map<String, TensorInfo> tensors;

    private SafeTensorsHeader(Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Reads and validates the header of an open file; every error names the file and, if any, the tensor. */
    static SafeTensorsHeader read(FileChannel channel, Path file) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new Qf2Exception("truncated safetensors file " + file + ": " + fileSize
                    + " bytes, fewer than the 8-byte header length: re-download or re-write the file");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0, file);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 2 || headerLength > fileSize - 8 || headerLength >= MAX_HEADER_BYTES) {
            throw new Qf2Exception("corrupt header in " + file + ": header length " + headerLength
                    + " does not fit a file of " + fileSize + " bytes: the file is truncated or not safetensors");
        }

        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8, file);
        JsonNode root;
        try {
            root = JSON.readTree(headerBytes.array());
        } catch (JsonProcessingException e) {
            throw new Qf2Exception("corrupt header in " + file + ": the JSON does not parse ("
                    + JsonSyntax.describe(e) + "): the file is truncated or not safetensors", e);
        }
        if (root == null || !root.isObject()) {
            throw new Qf2Exception("corrupt header in " + file + ": the JSON is not an object: not a safetensors file");
        }

        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals(METADATA_KEY)) {
                readMetadata(entry.getValue(), file, metadata);
            } else {
                String name = entry.getKey();
                tensors.put(name, readTensor(name, entry.getValue(), dataStart, dataSize, file));
            }
        }
        checkNoOverlap(tensors, file);
        return new SafeTensorsHeader(Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
    }

    private static void readMetadata(JsonNode node, Path file, Map<String, String> metadata) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new Qf2Exception("corrupt header in " + file + ": " + METADATA_KEY + " is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new Qf2Exception("corrupt header in " + file + ": " + METADATA_KEY + " value for \""
                        + entry.getKey() + "\" is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(String name, JsonNode node, long dataStart, long dataSize, Path file) {
        String where = "tensor " + name + " in " + file;
        if (!node.isObject()) {
            throw new Qf2Exception("corrupt header entry for " + where + ": not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new Qf2Exception("corrupt header entry for " + where + ": \"dtype\" is missing or not a string");
        }
        DType dtype = DType.parse(dtypeNode.textValue(), file, name);
        long[] shape = readNonNegativeLongs(node.get("shape"), "shape", -1, where);
        long[] offsets = readNonNegativeLongs(node.get("data_offsets"), "data_offsets", 2, where);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw new Qf2Exception("corrupt header entry for " + where + ": data_offsets [" + begin + ", " + end
                    + "] do not lie within the " + dataSize + " data bytes: the file is truncated or corrupt");
        }

        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new Qf2Exception("corrupt header entry for " + where + ": shape is too large to address", e);
        }
        if (end - begin != expectedBytes) {
            throw new Qf2Exception("corrupt header entry for " + where + ": data_offsets span " + (end - begin)
                    + " bytes but " + dtype + " shape " + Arrays.toString(shape) + " needs "
                    + expectedBytes + ": the file is corrupt");
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, end - begin);
    }

    private static long[] readNonNegativeLongs(JsonNode node, String field, int requiredLength, String where) {
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            String expected = requiredLength >= 0 ? "an array of " + requiredLength + " integers" : "an array";
            throw new Qf2Exception("corrupt header entry for " + where + ": \"" + field + "\" is not " + expected);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode item = node.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToLong() || item.longValue() < 0) {
                throw new Qf2Exception("corrupt header entry for " + where + ": \"" + field + "\" holds " + item
                        + ", not a non-negative integer");
            }
            values[i] = item.longValue();
        }
        return values;
    }

    private static void checkNoOverlap(Map<String, TensorInfo> tensors, Path file) {
        List<TensorInfo> byOffset = new ArrayList<>();
        for (TensorInfo info : tensors.values()) {
            if (info.byteLength() > 0) {
                byOffset.add(info);
            }
        }
        byOffset.sort(Comparator.comparingLong(TensorInfo::dataOffset));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo previous = byOffset.get(i - 1);
            TensorInfo current = byOffset.get(i);
            if (current.dataOffset() < previous.dataOffset() + previous.byteLength()) {
                throw new Qf2Exception("corrupt header in " + file + ": the data of tensor " + current.name()
                        + " overlaps that of tensor " + previous.name() + ": the file is corrupt");
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, Path file)
            throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read < 0) {
                throw new Qf2Exception("truncated safetensors file " + file + ": it ends inside the header");
            }
            at += read;
        }
    }
}
