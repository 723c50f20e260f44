package dev.qf2.checkpoint;

/**
 * Exact conversions between float32 and the two 16-bit float formats of checkpoints: IEEE half (F16) and
 * bfloat16 (BF16). Widening is exact for every bit pattern; narrowing rounds to nearest, ties to even.
 */
public final class HalfFloats {

    private HalfFloats() {}

    /**
     * Widens an IEEE 754 half (1 sign, 5 exponent, 10 mantissa bits) to float32 exactly, subnormals, infinities
     * and NaN payloads included.
     */
    public static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;

        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact because the mantissa has only 10 bits.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Re-bias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Narrows a float32 to an IEEE half, rounding to nearest even; too large values become infinity. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;

        if (magnitude >= 0x7f800000) {
            int payload = (magnitude >>> 13) & 0x3ff;
            boolean isNaN = magnitude > 0x7f800000;
            return (short) (sign | 0x7c00 | (isNaN ? payload | 0x200 : 0));
        }
        // 65520 is halfway between the largest half (65504) and 65536; ties to even round up to infinity.
        if (magnitude >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) {
            // Below the smallest normal half (2^-14): count units of 2^-24; 1024 units is that normal.
            double units = Float.intBitsToFloat(magnitude) * 0x1p24;
            return (short) (sign | (int) Math.rint(units));
        }

        int exponent = (magnitude >>> 23) - 127 + 15;
        int mantissa = magnitude & 0x7fffff;
        int half = (exponent << 10) | (mantissa >>> 13);
        int dropped = mantissa & 0x1fff;
        if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) != 0)) {
            // A carry out of the mantissa correctly increments the exponent.
            half++;
        }
        return (short) (sign | half);
    }

    /** Widens a bfloat16 to float32 exactly: bfloat16 is the upper half of a float32. */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /** Narrows a float32 to bfloat16, rounding to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
