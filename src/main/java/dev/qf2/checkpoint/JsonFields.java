package dev.qf2.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.JsonSyntax;
import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed reads of the fields of a Hugging Face JSON file, with errors that name the file and the field. */
final class JsonFields {

    static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode node;
    private final Path file;

    JsonFields(ObjectNode node, Path file) {
        this.node = node;
        this.file = file;
    }

    /** Reads a JSON object from a file. */
    static ObjectNode readObject(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new Qf2Exception("no such file " + file + ": check the model directory", e);
        } catch (JsonProcessingException e) {
            throw new Qf2Exception("cannot parse " + file + " (" + JsonSyntax.describe(e)
                    + "): fix or re-download the file", e);
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + file + " (" + e + "): check its permissions", e);
        }
        if (root == null || !root.isObject()) {
            throw new Qf2Exception("malformed " + file + ": not a JSON object: fix or re-download the file");
        }
        return (ObjectNode) root;
    }

    Optional<Integer> optionalInt(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToInt()) {
            throw invalid(field, value, "an integer");
        }
        return Optional.of(value.intValue());
    }

    int requiredInt(String field) {
        return optionalInt(field).orElseThrow(() -> new Qf2Exception("missing \"" + field + "\" in " + file
                + ": the file is incomplete"));
    }

    Optional<Double> optionalDouble(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw invalid(field, value, "a number");
        }
        return Optional.of(value.doubleValue());
    }

    Optional<Boolean> optionalBoolean(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw invalid(field, value, "true or false");
        }
        return Optional.of(value.booleanValue());
    }

    Optional<String> optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid(field, value, "a string");
        }
        return Optional.of(value.textValue());
    }

    /** An integer or a list of integers (as Hugging Face writes {@code eos_token_id}); empty if absent. */
    List<Integer> intOrIntList(String field) {
        JsonNode value = node.get(field);
        List<Integer> values = new ArrayList<>();
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isNumber() || !item.canConvertToExactIntegral() || !item.canConvertToInt()) {
                    throw invalid(field, value, "an integer or a list of integers");
                }
                values.add(item.intValue());
            }
            return List.copyOf(values);
        }
        return List.of(optionalInt(field).orElseThrow());
    }

    Qf2Exception invalid(String field, JsonNode value, String expected) {
        return new Qf2Exception("\"" + field + "\" in " + file + " is " + value + ", not " + expected
                + ": fix the file");
    }
}
