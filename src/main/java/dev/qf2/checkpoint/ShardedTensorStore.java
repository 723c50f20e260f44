package dev.qf2.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.JsonSyntax;
import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint split over several safetensors files, found through a {@code model.safetensors.index.json} of the
 * form {@code {"metadata": {...}, "weight_map": {tensor: shard file name}}}. Each shard is opened once.
 */
public final class ShardedTensorStore implements TensorStore {

    private final Path indexFile;
    private final Map<String, Object> metadata;
    private final Map<String, SafeTensorsFile> shardOf;
    private final Map<String, TensorInfo> tensors;
    private final List<SafeTensorsFile> shards;

    private ShardedTensorStore(Path indexFile, Map<String, Object> metadata, Map<String, SafeTensorsFile> shardOf,
            Map<String, TensorInfo> tensors, List<SafeTensorsFile> shards) {
        this.indexFile = indexFile;
        this.metadata = metadata;
        this.shardOf = shardOf;
        this.tensors = tensors;
        this.shards = shards;
    }

    /**
     * Opens the index and every shard it names (resolved beside the index), and checks that each mapped tensor is
     * in its shard.
     *
     * @throws Qf2Exception if the index is malformed, a shard is missing or malformed, or a tensor is not where
     *     the index says; the message names the index file and the tensor
     */
    public static ShardedTensorStore open(Path indexFile) {
        JsonNode root = readIndex(indexFile);
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new Qf2Exception("malformed shard index " + indexFile
                    + ": \"weight_map\" is missing, empty or not an object: re-download the checkpoint");
        }

        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, SafeTensorsFile> openShards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> shardOf = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String tensor = entry.getKey();
                SafeTensorsFile shard = shardFor(tensor, entry.getValue(), dir, indexFile, openShards);
                TensorInfo info = shard.tensors().get(tensor);
                if (info == null) {
                    throw new Qf2Exception("shard index " + indexFile + " maps tensor " + tensor + " to "
                            + shard.path().getFileName() + ", which does not hold it: the checkpoint is incomplete");
                }
                shardOf.put(tensor, shard);
                tensors.put(tensor, info);
            }
        } catch (RuntimeException e) {
            openShards.values().forEach(SafeTensorsFile::close);
            throw e;
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        JsonNode metadataNode = root.get("metadata");
        if (metadataNode != null && metadataNode.isObject()) {
            metadataNode.fields().forEachRemaining(e -> metadata.put(e.getKey(), toPlainValue(e.getValue())));
        }
        return new ShardedTensorStore(indexFile, Collections.unmodifiableMap(metadata),
                shardOf, Collections.unmodifiableMap(tensors), List.copyOf(openShards.values()));
    }

    private static JsonNode readIndex(Path indexFile) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(indexFile));
        } catch (NoSuchFileException e) {
            throw new Qf2Exception("no such file " + indexFile + ": check the model directory", e);
        } catch (JsonProcessingException e) {
            throw new Qf2Exception("cannot read shard index " + indexFile + " (" + JsonSyntax.describe(e)
                    + "): re-download the checkpoint", e);
        } catch (IOException e) {
            throw new Qf2Exception("cannot read shard index " + indexFile + " (" + e.getMessage()
                    + "): re-download the checkpoint", e);
        }
        if (root == null || !root.isObject()) {
            throw new Qf2Exception("malformed shard index " + indexFile + ": not a JSON object");
        }
        return root;
    }

    private static SafeTensorsFile shardFor(String tensor, JsonNode fileNode, Path dir, Path indexFile,
            Map<String, SafeTensorsFile> openShards) {
        if (!fileNode.isTextual()) {
            throw new Qf2Exception("malformed shard index " + indexFile + ": the file for tensor " + tensor
                    + " is not a string");
        }
        String fileName = fileNode.textValue();
        SafeTensorsFile shard = openShards.get(fileName);
        if (shard != null) {
            return shard;
        }
        Path shardPath = dir.resolve(fileName).normalize();
        if (!shardPath.startsWith(dir)) {
            throw new Qf2Exception("shard index " + indexFile + " maps tensor " + tensor + " to " + fileName
                    + ", outside the model directory: the index is corrupt");
        }
        if (!Files.isRegularFile(shardPath)) {
            throw new Qf2Exception("shard index " + indexFile + " maps tensor " + tensor + " to " + fileName
                    + ", which does not exist: download every shard of the checkpoint");
        }
        shard = SafeTensorsFile.open(shardPath);
        openShards.put(fileName, shard);
        return shard;
    }

    private static Object toPlainValue(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.isTextual() ? node.textValue() : node.toString();
    }

    /** The index file. */
    @Override
    public Path path() {
        return indexFile;
    }

    /** The shard that holds the tensor. */
    @Override
    public Path fileOf(String name) {
        return shard(name).path();
    }

    /** The index's {@code metadata} (e.g. {@code total_size}), numbers as Long or Double, others as strings. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The shard files, in the order the index first names them. */
    public List<Path> shardFiles() {
        List<Path> paths = new ArrayList<>();
        shards.forEach(shard -> paths.add(shard.path()));
        return paths;
    }

    /** Every tensor of the weight map, in its order; offsets are within each tensor's own shard. */
    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** See {@link SafeTensorsFile#readF32}. */
    @Override
    public ByteBuffer readF32(String name) {
        return shard(name).readF32(name);
    }

    /** See {@link SafeTensorsFile#readFloats}. */
    @Override
    public float[] readFloats(String name) {
        return shard(name).readFloats(name);
    }

    /** Closes every shard. */
    @Override
    public void close() {
        shards.forEach(SafeTensorsFile::close);
    }

    private SafeTensorsFile shard(String name) {
        SafeTensorsFile shard = shardOf.get(name);
        if (shard == null) {
            throw new Qf2Exception("no tensor " + name + " in the weight map of " + indexFile
                    + ": the checkpoint does not match the model");
        }
        return shard;
    }
}
