package dev.qf2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes the JSON reports of the commands. */
final class JsonFiles {

    private JsonFiles() {}

    /** Writes {@code node} to {@code file}, pretty-printed, replacing it in one step. */
    static void write(Path file, JsonNode node) {
        Path absolute = file.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new Qf2Exception("cannot write " + file + ": it is a directory; give a file path");
        }
        Path temp = null;
        try {
            Files.createDirectories(absolute.getParent());
            temp = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
            byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(node);
            Files.write(temp, bytes);
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new Qf2Exception("cannot write " + file + " (" + e + "); choose a writable path", e);
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // A leftover temporary file beside the report is harmless; the error about the report matters.
        }
    }
}
