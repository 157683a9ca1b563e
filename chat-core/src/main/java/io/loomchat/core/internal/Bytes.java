package io.loomchat.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte array searches and escaping, on ranges so the reader never copies to search. */
public final class Bytes {
    private Bytes() {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * Returns the index of {@code needle} in {@code haystack[from, to)}, or -1. Looks for the needle's first
     * byte eight bytes at a time (SWAR: a zero-byte test on the word XOR the byte repeated), then compares the
     * rest where it is found.
     *
     * @param haystack the bytes to search
     * @param from the first index searched
     * @param to the index after the last one searched
     * @param needle the bytes to find, not empty
     * @return the index of the first occurrence, or -1
     */
    public static int indexOf(byte[] haystack, int from, int to, byte[] needle) {
        int last = to - needle.length;  // the last index where the needle fits
        long pattern = (needle[0] & 0xffL) * ONES;
        int i = from;
        while (i <= last) {
            if (i + Long.BYTES <= to) {
                long x = (long) LONGS.get(haystack, i) ^ pattern;
                long found = (x - ONES) & ~x & HIGHS;  // the lowest set bit marks the first matching byte
                if (found == 0) {
                    i += Long.BYTES;
                    continue;
                }
                i += Long.numberOfTrailingZeros(found) >>> 3;
                if (i > last) return -1;
            } else if (haystack[i] != needle[0]) {
                i++;
                continue;
            }
            if (matchesAt(haystack, i, needle)) return i;
            i++;
        }
        return -1;
    }

    private static boolean matchesAt(byte[] haystack, int at, byte[] needle) {
        for (int j = 1; j < needle.length; j++) {
            if (haystack[at + j] != needle[j]) return false;
        }
        return true;
    }

    /**
     * Returns the length of the longest proper prefix of {@code needle} that ends {@code haystack[from, to)}.
     * asynchat's {@code find_prefix_at_end}: like it, this assumes the whole needle is not there.
     *
     * @param haystack the bytes whose range is searched
     * @param from the first index of the range
     * @param to the index after the range
     * @param needle the delimiter
     * @return how many bytes at the end of the range begin {@code needle}, from 0 to its length - 1
     */
    public static int findPrefixAtEnd(byte[] haystack, int from, int to, byte[] needle) {
        for (int l = Math.min(needle.length - 1, to - from); l > 0; l--) {
            if (regionMatches(haystack, to - l, needle, l)) return l;
        }
        return 0;
    }

    private static boolean regionMatches(byte[] haystack, int at, byte[] needle, int length) {
        for (int j = 0; j < length; j++) {
            if (haystack[at + j] != needle[j]) return false;
        }
        return true;
    }

    /**
     * Returns the bytes as ASCII with {@code \r}, {@code \n}, {@code \t}, quotes and others escaped.
     *
     * @param bytes the bytes to escape
     * @param from the first index escaped
     * @param to the index after the last one escaped
     * @return printable ASCII
     */
    public static String escape(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (b >= 0x20 && b < 0x7f) sb.append((char) b);
                    else sb.append(String.format("\\x%02x", b));
                }
            }
        }
        return sb.toString();
    }
}
