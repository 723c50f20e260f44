package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file past 2 GiB, made sparse so that it costs no disk: only the header and the last tensor are written. */
class LargeSafeTensorsFileTest {

    /** The filler's size: the tensor after it starts beyond 2^31 bytes into the data. */
    private static final long FILLER_BYTES = (1L << 31) + 64;

    @TempDir
    Path dir;

    @Test
    void readsATensorStoredBeyondTwoGibibytes() throws IOException {
        Path file = writeSparseFile();

        try (SafeTensorsFile store = SafeTensorsFile.open(file)) {
            TensorInfo tail = store.info("tail");
            assertThat(tail.dataOffset()).isGreaterThan(1L << 31);
            assertThat(store.readFloats("tail")).containsExactly(1.5f, -2.25f, 3e-3f, 4e4f);
            assertThat(store.readDoubles("tail")).containsExactly(1.5, -2.25, (double) 3e-3f, 4e4);
        }
    }

    @Test
    void aTensorAboveTwoGibibytesIsReadInPiecesWithMapRange() throws IOException {
        Path file = writeSparseFile();

        try (SafeTensorsFile store = SafeTensorsFile.open(file)) {
            assertThat(store.info("filler").byteLength()).isEqualTo(FILLER_BYTES);
            assertThatThrownBy(() -> store.mapRaw("filler")).isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining("tensor filler in " + file).hasMessageContaining("mapRange");
            assertThatThrownBy(() -> store.readLongs("filler")).isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining("tensor filler in " + file);

            ByteBuffer piece = store.mapRange("filler", FILLER_BYTES - 16, 16);
            assertThat(piece.remaining()).isEqualTo(16);
            assertThat(piece.getLong(0)).isZero();
            assertThat(piece.getLong(8)).isZero();
        }
    }

    /** A U8 filler of FILLER_BYTES never written (a hole), then "tail", four F32 values written at its offset. */
    private Path writeSparseFile() throws IOException {
        String json = """
                {"__metadata__": {"format": "pt"},
                 "filler": {"dtype": "U8", "shape": [%d], "data_offsets": [0, %d]},
                 "tail": {"dtype": "F32", "shape": [2, 2], "data_offsets": [%d, %d]}}"""
                .formatted(FILLER_BYTES, FILLER_BYTES, FILLER_BYTES, FILLER_BYTES + 16);
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + header.length;

        ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(header.length).put(header);
        ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        tail.putFloat(1.5f).putFloat(-2.25f).putFloat(3e-3f).putFloat(4e4f);

        Path file = dir.resolve("large.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + FILLER_BYTES + 16);
            raf.write(prefix.array());
            raf.seek(dataStart + FILLER_BYTES);
            raf.write(tail.array());
        }
        return file;
    }
}
