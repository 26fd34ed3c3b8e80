package org.scrim.engine.modelio;

/** Storage element types a checkpoint may hold; all are widened exactly to float32. */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Reads one little-endian element at {@code pos} as float32 (fp16 and bf16 are exactly representable). */
    public float read(byte[] b, int pos) {
        return switch (this) {
            case F32 -> Float.intBitsToFloat((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8
                    | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24);
            case F16 -> halfToFloat((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8);
            case BF16 -> Float.intBitsToFloat(((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8) << 16);
        };
    }

    /** IEEE 754 binary16 to binary32, exact for normals, subnormals, infinities and NaN. */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | (exp + 112) << 23 | mant << 13);
    }
}
