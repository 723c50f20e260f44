package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesTheStandardLayout() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensorsWriter.writeInOrder(file, Map.of("format", "pt"), List.of(
                TensorData.ofFloats("b.weight", DType.F32, new long[] {3}, new float[] {1, 2, 3}),
                TensorData.ofLongs("a.ids", DType.I64, new long[] {1}, new long[] {-2})));
        byte[] bytes = Files.readAllBytes(file);

        // An 8-byte little-endian header length, and the data starting on a multiple of 8.
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat((8 + headerLength) % 8).isZero();
        assertThat(bytes).hasSize((int) (8 + headerLength + 12 + 8));

        // The JSON: __metadata__ first, then the tensors in the given order with contiguous offsets.
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonNode json = new ObjectMapper().readTree(header);
        assertThat(header.stripTrailing()).endsWith("}");
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("__metadata__", "b.weight", "a.ids");
        assertThat(json.get("__metadata__").get("format").asText()).isEqualTo("pt");
        assertThat(json.get("b.weight").toString())
                .isEqualTo("{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}");
        assertThat(json.get("a.ids").toString())
                .isEqualTo("{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[12,20]}");

        // The data: each tensor's little-endian elements back to back.
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + headerLength), 20).slice().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new float[] {data.getFloat(0), data.getFloat(4), data.getFloat(8)}).containsExactly(1, 2, 3);
        assertThat(data.getLong(12)).isEqualTo(-2);
    }

    @Test
    void writeSortsByNameSoTheSameTensorsAlwaysGiveTheSameBytes() throws IOException {
        TensorData a = TensorData.ofFloats("a", DType.F32, new long[] {1}, new float[] {1});
        TensorData b = TensorData.ofFloats("b", DType.F16, new long[] {2}, new float[] {2, 3});

        SafeTensorsWriter.write(dir.resolve("ab.safetensors"), Map.of(), List.of(a, b));
        SafeTensorsWriter.write(dir.resolve("ba.safetensors"), Map.of(), List.of(b, a));

        byte[] ab = Files.readAllBytes(dir.resolve("ab.safetensors"));
        assertThat(ab).isEqualTo(Files.readAllBytes(dir.resolve("ba.safetensors")));
        try (SafeTensorsFile file = SafeTensorsFile.open(dir.resolve("ab.safetensors"))) {
            assertThat(file.tensors().keySet()).containsExactly("a", "b");
        }
    }

    @Test
    void metadataIsWrittenInKeyOrderWhateverTheOrderOfTheMap() throws IOException {
        Map<String, String> formatFirst = new LinkedHashMap<>();
        formatFirst.put("format", "pt");
        formatFirst.put("author", "qf2");
        Map<String, String> authorFirst = new LinkedHashMap<>();
        authorFirst.put("author", "qf2");
        authorFirst.put("format", "pt");
        List<TensorData> tensors = List.of(TensorData.ofFloats("x", DType.F32, new long[] {1}, new float[] {1}));

        SafeTensorsWriter.write(dir.resolve("1.safetensors"), formatFirst, tensors);
        SafeTensorsWriter.write(dir.resolve("2.safetensors"), authorFirst, tensors);

        byte[] first = Files.readAllBytes(dir.resolve("1.safetensors"));
        assertThat(first).isEqualTo(Files.readAllBytes(dir.resolve("2.safetensors")));
        assertThat(new String(first, StandardCharsets.UTF_8))
                .contains("{\"__metadata__\":{\"author\":\"qf2\",\"format\":\"pt\"}");
    }

    @Test
    void emptyMetadataIsLeftOutOfTheHeader() throws IOException {
        Path file = dir.resolve("t.safetensors");

        SafeTensorsWriter.write(file, Map.of(), List.of(TensorData.ofFloats("x", DType.F32, new long[] {1},
                new float[] {1})));

        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).doesNotContain("__metadata__");
    }

    @Test
    void aStreamedSourceThatWritesTooFewBytesFailsAndLeavesNoFile() throws IOException {
        Path file = dir.resolve("short.safetensors");
        TensorData tooShort = TensorData.streamed("w", DType.F32, new long[] {4},
                out -> out.write(ByteBuffer.allocate(12)));

        assertThatThrownBy(() -> SafeTensorsWriter.write(file, Map.of(), List.of(tooShort)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tensor w")
                .hasMessageContaining("wrote 12 bytes").hasMessageContaining("announces 16");
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void duplicateNamesAreRefused() {
        TensorData x = TensorData.ofFloats("x", DType.F32, new long[] {1}, new float[] {1});

        assertThatThrownBy(() -> SafeTensorsWriter.writeInOrder(dir.resolve("d.safetensors"), Map.of(), List.of(x, x)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
    }

    @Test
    void dataGivenInTheWrongAmountIsRefusedBeforeWriting() {
        assertThatThrownBy(() -> TensorData.ofFloats("w", DType.F32, new long[] {2, 2}, new float[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w")
                .hasMessageContaining(Arrays.toString(new long[] {2, 2}));
        assertThatThrownBy(() -> TensorData.ofBytes("b", DType.F32, new long[] {1}, ByteBuffer.allocate(6)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
