package dev.qf2.checkpoint;

import dev.qf2.Qf2Exception;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a partial file: the
 * content goes to a hidden temporary file in the same directory, is forced to disk, then renamed over the target.
 */
public final class AtomicFile {

    /** Writes a file's content into a channel positioned at 0. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content. */
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFile() {}

    /**
     * Replaces {@code target} with the content, atomically.
     *
     * @throws Qf2Exception if the directory is missing or the disk refuses the write; the target is then untouched
     */
    public static void write(Path target, Content content) {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new Qf2Exception("cannot write " + target + ": directory " + dir + " does not exist");
        }
        Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            moveIntoPlace(temp, target);
            moved = true;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new Qf2Exception("cannot write " + target + " (" + e + "): check free disk space and permissions",
                    e);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
    }

    /** Replaces {@code target} with the UTF-8 text, atomically. */
    public static void writeString(Path target, String text) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        write(target, channel -> {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        });
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Only file systems without an atomic rename get here; the content is already on disk.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable; some platforms cannot open a directory, and then the rename is left to the OS. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Durability of the directory entry is best effort by design.
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // A leftover hidden temporary file is harmless and says which write failed.
        }
    }
}
