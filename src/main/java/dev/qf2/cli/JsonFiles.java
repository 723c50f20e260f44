package dev.qf2.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the JSON reports of the commands. */
final class JsonFiles {

    private JsonFiles() {}

    /** Writes {@code node} to {@code file}, pretty-printed, replacing it in one step; missing folders are made. */
    static void write(Path file, JsonNode node) {
        Path absolute = file.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new Qf2Exception("cannot write " + file + ": it is a directory; give a file path");
        }
        String text;
        try {
            text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new Qf2Exception("cannot write " + file + " (" + e + "); choose a writable path", e);
        }
        AtomicFile.writeString(absolute, text);
    }
}
