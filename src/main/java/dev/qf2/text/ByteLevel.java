package dev.qf2.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The byte-to-character mapping of byte-level BPE (GPT-2, Qwen2): every byte is written as one printable
 * character, so that the vocabulary and merges of a {@code tokenizer.json} are plain strings. The printable bytes
 * {@code !}..{@code ~}, {@code ¡}..{@code ¬} and {@code ®}..{@code ÿ} stand for themselves; the other 68 bytes,
 * in byte order, take U+0100 onwards, so the space byte is {@code Ġ} (U+0120) and the newline {@code Ċ} (U+010A).
 */
public final class ByteLevel {

    /** The character of each byte value. */
    private static final char[] SYMBOLS = new char[256];

    /** The byte value of each character below U+0144, or -1 for characters that stand for no byte. */
    private static final int[] BYTES = new int[256 + 68];

    static {
        Arrays.fill(BYTES, -1);
        int moved = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            SYMBOLS[b] = printable ? (char) b : (char) (256 + moved++);
            BYTES[SYMBOLS[b]] = b;
        }
    }

    private ByteLevel() {}

    /**
     * The character that stands for one byte.
     *
     * @param value the byte, 0..255
     * @return its character
     */
    public static char symbol(int value) {
        return SYMBOLS[value & 0xff];
    }

    /**
     * The byte-level form of text: its UTF-8 bytes, one character each.
     *
     * @param text any text
     * @return as many characters as the text has UTF-8 bytes
     */
    public static String symbols(String text) {
        return symbols(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The byte-level form of bytes, one character each.
     *
     * @param bytes any bytes
     * @return one character per byte
     */
    public static String symbols(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = symbol(bytes[i]);
        }
        return new String(chars);
    }

    /**
     * The bytes that a byte-level string stands for.
     *
     * @param symbols characters each of which stands for one byte, such as a vocabulary entry
     * @return one byte per character
     * @throws IllegalArgumentException if a character stands for no byte
     */
    public static byte[] bytes(String symbols) {
        byte[] bytes = new byte[symbols.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = symbols.charAt(i);
            int value = c < BYTES.length ? BYTES[c] : -1;
            if (value < 0) {
                String code = Integer.toHexString(c).toUpperCase(Locale.ROOT);
                throw new IllegalArgumentException("U+" + code + " in \"" + symbols + "\" stands for no byte");
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }
}
