package dev.qf2.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalfFloatsTest {

    @TempDir
    Path dir;

    @Test
    void bf16IsWidenedExactlyForEveryBitPatternWhenRead() {
        float[] read = writeEveryPatternAndReadBack(DType.BF16);

        for (int bits = 0; bits < 65536; bits++) {
            float expected = Float.intBitsToFloat(bits << 16);
            assertThat(Float.floatToRawIntBits(read[bits])).as("BF16 0x%04x", bits)
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    @Test
    void f16IsWidenedExactlyForEveryBitPatternWhenRead() {
        float[] read = writeEveryPatternAndReadBack(DType.F16);

        for (int bits = 0; bits < 65536; bits++) {
            float expected = ieeeHalf(bits);
            if (Float.isNaN(expected)) {
                assertThat(read[bits]).as("F16 0x%04x", bits).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(read[bits])).as("F16 0x%04x", bits)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test
    void narrowingAWidenedHalfGivesBackTheSameBits() {
        for (int bits = 0; bits < 65536; bits++) {
            short half = (short) bits;
            if (!Float.isNaN(HalfFloats.halfToFloat(half))) {
                assertThat(HalfFloats.floatToHalf(HalfFloats.halfToFloat(half)) & 0xffff).as("F16 0x%04x", bits)
                        .isEqualTo(bits);
            }
            if (!Float.isNaN(HalfFloats.bf16ToFloat(half))) {
                assertThat(HalfFloats.floatToBf16(HalfFloats.bf16ToFloat(half)) & 0xffff).as("BF16 0x%04x", bits)
                        .isEqualTo(bits);
            }
        }
    }

    @Test
    void narrowingToHalfRoundsToNearestEven() {
        // 1 + 2^-11 lies halfway between 1 and the next half 1 + 2^-10: the even one, 1, wins.
        assertThat(HalfFloats.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(HalfFloats.floatToHalf(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
        assertThat(HalfFloats.floatToHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
        assertThat(HalfFloats.floatToHalf(65504f)).isEqualTo((short) 0x7bff);
        assertThat(HalfFloats.floatToHalf(65519f)).isEqualTo((short) 0x7bff);
        assertThat(HalfFloats.floatToHalf(65520f)).isEqualTo((short) 0x7c00);
        assertThat(HalfFloats.floatToHalf(-1e9f)).isEqualTo((short) 0xfc00);
        assertThat(HalfFloats.floatToHalf(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(HalfFloats.floatToHalf(0x1p-25f)).isEqualTo((short) 0x0000);
        assertThat(HalfFloats.floatToHalf(1.5f * 0x1p-25f)).isEqualTo((short) 0x0001);
        assertThat(HalfFloats.floatToHalf(-0f)).isEqualTo((short) 0x8000);
        assertThat(HalfFloats.halfToFloat(HalfFloats.floatToHalf(Float.NaN))).isNaN();
    }

    @Test
    void narrowingToBf16RoundsToNearestEven() {
        assertThat(HalfFloats.floatToBf16(1f + 0x1p-8f)).isEqualTo((short) 0x3f80);
        assertThat(HalfFloats.floatToBf16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3f82);
        assertThat(HalfFloats.floatToBf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3f81);
        assertThat(HalfFloats.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7f80);
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))).isNaN();
    }

    /** Writes all 65536 16-bit patterns as one tensor of the dtype, then reads it back as float32. */
    private float[] writeEveryPatternAndReadBack(DType dtype) {
        ByteBuffer bytes = ByteBuffer.allocate(65536 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits = 0; bits < 65536; bits++) {
            bytes.putShort((short) bits);
        }
        bytes.flip();
        Path file = dir.resolve(dtype + ".safetensors");
        SafeTensorsWriter.write(file, Map.of(), List.of(TensorData.ofBytes("all", dtype, new long[] {65536}, bytes)));
        try (SafeTensorsFile read = SafeTensorsFile.open(file)) {
            return read.readFloats("all");
        }
    }

    /** IEEE 754 binary16 by its definition: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m, e = 31 infinite/NaN. */
    private static float ieeeHalf(int bits) {
        int sign = bits >>> 15;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double magnitude;
        if (exponent == 31) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = Math.scalb(mantissa / 1024.0, -14);
        } else {
            magnitude = Math.scalb(1 + mantissa / 1024.0, exponent - 15);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }
}
