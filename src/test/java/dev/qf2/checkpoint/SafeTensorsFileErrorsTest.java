package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsFileErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("absent.safetensors");

        assertThat(openFailure(file)).hasMessageStartingWith("no such file " + file);
    }

    @Test
    void aFileShorterThanTheLengthPrefixIsTruncated() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Files.write(file, new byte[] {1, 2, 3, 4, 5});

        assertThat(openFailure(file)).hasMessageStartingWith("truncated safetensors file " + file);
    }

    @Test
    void aFileCutInsideTheDataNamesTheTensorThatNoLongerFits() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        SafeTensorsWriter.write(file, Map.of(), List.of(
                TensorData.ofFloats("a", DType.F32, new long[] {2}, new float[] {1, 2}),
                TensorData.ofFloats("b", DType.F32, new long[] {4}, new float[] {1, 2, 3, 4})));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 4);
        }

        assertThat(openFailure(file)).hasMessageContaining("tensor b in " + file)
                .hasMessageContaining("data_offsets [8, 24]").hasMessageContaining("truncated");
    }

    @Test
    void aHeaderLengthBeyondTheFileIsCorrupt() throws IOException {
        Path file = dir.resolve("long.safetensors");
        ByteBuffer bytes = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        Files.write(file, bytes.array());

        assertThat(openFailure(file)).hasMessageStartingWith("corrupt header in " + file)
                .hasMessageContaining("header length 1000").hasMessageContaining("24 bytes");
    }

    @Test
    void aHeaderThatIsNotJsonIsCorrupt() throws IOException {
        Path file = writeRaw("garbage.safetensors", "this is not json", 0);

        assertThat(openFailure(file)).hasMessageStartingWith("corrupt header in " + file)
                .hasMessageContaining("does not parse");
    }

    @Test
    void aHeaderThatIsJsonButNotAnObjectIsCorrupt() throws IOException {
        Path file = writeRaw("array.safetensors", "[1, 2, 3]", 0);

        assertThat(openFailure(file)).hasMessageStartingWith("corrupt header in " + file)
                .hasMessageContaining("not an object");
    }

    @Test
    void textAfterTheJsonObjectIsCorrupt() throws IOException {
        Path file = writeRaw("trailing.safetensors", """
                {"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}} {"x": 1}""", 4);

        assertThat(openFailure(file)).hasMessageStartingWith("corrupt header in " + file)
                .hasMessageContaining("does not parse");
    }

    @Test
    void overlappingDataNamesBothTensors() throws IOException {
        Path file = writeRaw("overlap.safetensors", """
                {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12);

        assertThat(openFailure(file)).hasMessageStartingWith("corrupt header in " + file)
                .hasMessageContaining("tensor b overlaps that of tensor a");
    }

    @Test
    void aByteLengthThatDisagreesWithShapeAndDtypeNamesTheTensor() throws IOException {
        Path file = writeRaw("short.safetensors", """
                {"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8);

        assertThat(openFailure(file)).hasMessageContaining("tensor w in " + file)
                .hasMessageContaining("span 8 bytes").hasMessageContaining("F32 shape [3] needs 12");
    }

    @Test
    void anUnknownDtypeNamesTheTensorAndTheSupportedTypes() throws IOException {
        Path file = writeRaw("fp8.safetensors", """
                {"w": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}}""", 4);

        assertThat(openFailure(file)).hasMessageContaining("unknown dtype \"F8_E4M3\" for tensor w in " + file)
                .hasMessageContaining("F32, F16, BF16");
    }

    @Test
    void aNegativeOrFractionalShapeNamesTheTensor() throws IOException {
        Path negative = writeRaw("negative.safetensors", """
                {"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}""", 4);
        Path fractional = writeRaw("fractional.safetensors", """
                {"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}""", 4);

        assertThat(openFailure(negative)).hasMessageContaining("tensor w in " + negative)
                .hasMessageContaining("\"shape\" holds -1");
        assertThat(openFailure(fractional)).hasMessageContaining("tensor w in " + fractional)
                .hasMessageContaining("\"shape\" holds 1.5");
    }

    @Test
    void missingDataOffsetsNameTheTensor() throws IOException {
        Path file = writeRaw("nooffsets.safetensors", """
                {"w": {"dtype": "F32", "shape": [1]}}""", 4);

        assertThat(openFailure(file)).hasMessageContaining("tensor w in " + file)
                .hasMessageContaining("\"data_offsets\" is not an array of 2 integers");
    }

    @Test
    void aDuplicatedTensorNameIsCorrupt() throws IOException {
        Path file = writeRaw("twice.safetensors", """
                {"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                 "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", 8);

        assertThat(openFailure(file)).hasMessageStartingWith("corrupt header in " + file)
                .hasMessageContaining("w");
    }

    /** Writes a file by hand: the header length, the JSON padded to 8 bytes, then {@code dataBytes} zeros. */
    private Path writeRaw(String name, String headerJson, int dataBytes) throws IOException {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer bytes = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(padded).put(json);
        while (bytes.position() < 8 + padded) {
            bytes.put((byte) ' ');
        }
        Path file = dir.resolve(name);
        Files.write(file, bytes.array());
        return file;
    }

    /** Opens the file, expecting a one-line Qf2Exception. */
    private static Qf2Exception openFailure(Path file) {
        Qf2Exception error = catchThrowableOfType(Qf2Exception.class, () -> SafeTensorsFile.open(file));
        assertThat(error).as("opening %s", file).isNotNull();
        assertThat(error.getMessage()).doesNotContain("\n");
        return error;
    }
}
