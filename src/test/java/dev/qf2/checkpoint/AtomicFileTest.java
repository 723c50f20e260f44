package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheContent() throws IOException {
        Path target = dir.resolve("config.json");
        Files.writeString(target, "old");

        AtomicFile.writeString(target, "new content");

        assertThat(Files.readString(target)).isEqualTo("new content");
        assertThat(fileNames()).containsExactly("config.json");
    }

    @Test
    void keepsTheOldContentWhenTheContentFailsHalfway() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "old");

        assertThatThrownBy(() -> AtomicFile.write(target, channel -> {
            channel.write(ByteBuffer.wrap("half of the new".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        })).isInstanceOf(Qf2Exception.class).hasMessageContaining("cannot write " + target)
                .hasMessageContaining("disk full");

        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(fileNames()).containsExactly("model.safetensors");
    }

    @Test
    void keepsTheOldContentWhenTheContentThrowsAnUncheckedException() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "old");

        assertThatThrownBy(() -> AtomicFile.write(target, channel -> {
            channel.write(ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            throw new IllegalStateException("source failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("source failed");

        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(fileNames()).containsExactly("model.safetensors");
    }

    @Test
    void createsNoFileWhenTheFirstWriteFails() throws IOException {
        Path target = dir.resolve("fresh.bin");

        assertThatThrownBy(() -> AtomicFile.write(target, channel -> {
            throw new IOException("no");
        })).isInstanceOf(Qf2Exception.class);

        assertThat(fileNames()).isEmpty();
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path target = dir.resolve("absent").resolve("config.json");

        assertThatThrownBy(() -> AtomicFile.writeString(target, "x")).isInstanceOf(Qf2Exception.class)
                .hasMessage("cannot write " + target + ": directory " + dir.resolve("absent") + " does not exist");
    }

    /** The names in the directory, hidden temporary files included. */
    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
