package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    private SafeTensorsFile opened;

    @AfterEach
    void close() {
        if (opened != null) {
            opened.close();
        }
    }

    @Test
    void f32KeepsEveryBitIncludingSignedZeroInfinityAndNaN() {
        float[] values = {0f, -0f, 1f, -2.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7fc00123)};

        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("w", DType.F32, new long[] {2, 4}, values));

        assertThat(file.info("w").dtype()).isEqualTo(DType.F32);
        assertThat(file.info("w").shape()).containsExactly(2, 4);
        assertThat(rawBits(file.readFloats("w"))).containsExactly(rawBits(values));
    }

    @Test
    void f16StoresHalfBitsAndReadsBackTheSameFloats() {
        float[] values = {1f, -2.5f, 65504f, 0x1p-24f, 0x1p-14f, -0f, Float.POSITIVE_INFINITY};

        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("h", DType.F16, new long[] {7}, values));

        assertThat(shorts(file.mapRaw("h"))).containsExactly(0x3c00, 0xc100, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00);
        assertThat(rawBits(file.readFloats("h"))).containsExactly(rawBits(values));
    }

    @Test
    void bf16StoresUpperHalvesAndReadsBackTheSameFloats() {
        float[] values = {1f, -2f, 3.140625f, Float.intBitsToFloat(0x7f7f0000), 0x1p-133f};

        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("b", DType.BF16, new long[] {5, 1}, values));

        assertThat(shorts(file.mapRaw("b"))).containsExactly(0x3f80, 0xc000, 0x4049, 0x7f7f, 0x0001);
        assertThat(rawBits(file.readFloats("b"))).containsExactly(rawBits(values));
    }

    @Test
    void f64KeepsDoublesAndNarrowsToFloatOnRequest() {
        double[] values = {0.1, Math.PI, -1e300, Double.MIN_VALUE};
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            bytes.putDouble(value);
        }
        bytes.flip();

        SafeTensorsFile file = writeAndOpen(TensorData.ofBytes("d", DType.F64, new long[] {2, 2}, bytes));

        assertThat(file.readDoubles("d")).containsExactly(values);
        assertThat(file.readFloats("d")).containsExactly(0.1f, (float) Math.PI, Float.NEGATIVE_INFINITY, 0f);
    }

    @Test
    void i64KeepsTheFullRange() {
        long[] values = {Long.MIN_VALUE, -1, 0, 42, Long.MAX_VALUE, 151645};

        SafeTensorsFile file = writeAndOpen(TensorData.ofLongs("ids", DType.I64, new long[] {3, 2}, values));

        assertThat(file.info("ids").dtype()).isEqualTo(DType.I64);
        assertThat(file.readLongs("ids")).containsExactly(values);
    }

    @Test
    void narrowerIntegersAreReadBackSignExtendedExceptU8() {
        SafeTensorsFile file = writeAndOpen(
                TensorData.ofLongs("i32", DType.I32, new long[] {3},
                        new long[] {Integer.MIN_VALUE, -7, Integer.MAX_VALUE}),
                TensorData.ofLongs("i16", DType.I16, new long[] {3}, new long[] {Short.MIN_VALUE, -7, Short.MAX_VALUE}),
                TensorData.ofLongs("i8", DType.I8, new long[] {3}, new long[] {-128, -7, 127}),
                TensorData.ofLongs("u8", DType.U8, new long[] {3}, new long[] {0, 128, 255}));

        assertThat(file.readLongs("i32")).containsExactly(Integer.MIN_VALUE, -7, Integer.MAX_VALUE);
        assertThat(file.readLongs("i16")).containsExactly(Short.MIN_VALUE, -7, Short.MAX_VALUE);
        assertThat(file.readLongs("i8")).containsExactly(-128, -7, 127);
        assertThat(file.readLongs("u8")).containsExactly(0, 128, 255);
        assertThat(file.info("i32").byteLength()).isEqualTo(12);
        assertThat(file.info("i16").byteLength()).isEqualTo(6);
    }

    @Test
    void boolIsStoredAsOneBytePerElement() {
        ByteBuffer bytes = ByteBuffer.wrap(new byte[] {0, 1, 1, 0});

        SafeTensorsFile file = writeAndOpen(TensorData.ofBytes("mask", DType.BOOL, new long[] {2, 2}, bytes));

        ByteBuffer raw = file.mapRaw("mask");
        assertThat(raw.remaining()).isEqualTo(4);
        assertThat(new byte[] {raw.get(0), raw.get(1), raw.get(2), raw.get(3)}).containsExactly(0, 1, 1, 0);
    }

    @Test
    void scalarsAndEmptyTensorsRoundTrip() {
        SafeTensorsFile file = writeAndOpen(
                TensorData.ofFloats("scalar", DType.F32, new long[] {}, new float[] {7.5f}),
                TensorData.ofFloats("empty", DType.F32, new long[] {0, 4}, new float[] {}));

        assertThat(file.info("scalar").shape()).isEmpty();
        assertThat(file.readFloats("scalar")).containsExactly(7.5f);
        assertThat(file.info("empty").shape()).containsExactly(0, 4);
        assertThat(file.readFloats("empty")).isEmpty();
    }

    @Test
    void metadataRoundTrips() {
        Path path = dir.resolve("m.safetensors");
        SafeTensorsWriter.write(path, Map.of("format", "pt", "note", "ünïcode"),
                List.of(TensorData.ofFloats("x", DType.F32, new long[] {1}, new float[] {1f})));

        opened = SafeTensorsFile.open(path);

        assertThat(opened.metadata()).containsOnly(Map.entry("format", "pt"), Map.entry("note", "ünïcode"));
    }

    @Test
    void readF32OfAnF32TensorIsANativeOrderViewOfTheFile() {
        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("w", DType.F32, new long[] {3}, new float[] {1, 2, 3}));

        ByteBuffer view = file.readF32("w");

        assertThat(view.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(view.isReadOnly()).isTrue();
        assertThat(view.getFloat(8)).isEqualTo(3f);
    }

    @Test
    void readingAnIntegerTensorAsFloatsNamesTheTensorAndFile() {
        SafeTensorsFile file = writeAndOpen(TensorData.ofLongs("ids", DType.I64, new long[] {1}, new long[] {5}));

        assertThatThrownBy(() -> file.readFloats("ids")).isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("tensor ids").hasMessageContaining(file.path().toString())
                .hasMessageContaining("I64");
    }

    @Test
    void readingAFloatTensorAsLongsNamesTheTensorAndFile() {
        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("w", DType.F32, new long[] {1}, new float[] {5}));

        assertThatThrownBy(() -> file.readLongs("w")).isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("tensor w").hasMessageContaining(file.path().toString())
                .hasMessageContaining("not an integer type");
    }

    @Test
    void readingAnEmptyFloatTensorAsLongsIsRefusedToo() {
        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("w", DType.F32, new long[] {0}, new float[] {}));

        assertThatThrownBy(() -> file.readLongs("w")).isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("tensor w").hasMessageContaining("not an integer type");
    }

    @Test
    void askingForAnAbsentTensorNamesItAndTheFile() {
        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("w", DType.F32, new long[] {1}, new float[] {5}));

        assertThatThrownBy(() -> file.readFloats("model.norm.weight")).isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("no tensor model.norm.weight in " + file.path());
    }

    @Test
    void buffersStayReadableAfterClose() {
        SafeTensorsFile file = writeAndOpen(TensorData.ofFloats("w", DType.F32, new long[] {2}, new float[] {4, 5}));
        ByteBuffer view = file.readF32("w");

        file.close();

        assertThat(view.getFloat(4)).isEqualTo(5f);
        assertThatThrownBy(() -> file.readF32("w")).isInstanceOf(IllegalStateException.class);
    }

    private SafeTensorsFile writeAndOpen(TensorData... tensors) {
        Path path = dir.resolve("t.safetensors");
        SafeTensorsWriter.write(path, Map.of("format", "pt"), List.of(tensors));
        opened = SafeTensorsFile.open(path);
        return opened;
    }

    private static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static int[] shorts(ByteBuffer raw) {
        int[] values = new int[raw.remaining() / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = raw.getShort(2 * i) & 0xffff;
        }
        return values;
    }
}
