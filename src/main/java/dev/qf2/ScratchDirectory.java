package dev.qf2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory that is deleted, with everything in it, when closed. */
public final class ScratchDirectory implements AutoCloseable {

    private final Path path;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates a new directory in the system's temporary directory.
     *
     * @throws Qf2Exception if it cannot be created
     */
    public static ScratchDirectory create(String prefix) {
        try {
            return new ScratchDirectory(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new Qf2Exception("cannot create a temporary directory (" + e.getMessage()
                    + "): check that " + System.getProperty("java.io.tmpdir") + " is writable", e);
        }
    }

    /** The directory. */
    public Path path() {
        return path;
    }

    /** Deletes the directory and its content; a file that cannot be deleted is left behind. */
    @Override
    public void close() {
        deleteRecursively(path);
    }

    /** Deletes a directory tree as far as possible; missing files are fine. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A leftover temporary file is harmless.
        }
    }
}
