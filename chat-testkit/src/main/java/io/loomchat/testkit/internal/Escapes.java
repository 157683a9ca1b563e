package io.loomchat.testkit.internal;

import io.loomchat.core.internal.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Escapes bytes for transcripts and failure messages, and reads the escapes back.
 *
 * <p>Printable ASCII stands for itself; {@code \r}, {@code \n}, {@code \t}, {@code \\} and {@code \"} are
 * escaped; every other byte is {@code \xHH}. The result is plain ASCII, so a message shows exactly which bytes
 * went by. The escaping is chat-core's, so a delimiter prints the same way in both.
 */
public final class Escapes {
    private Escapes() {
    }

    /** Returns {@code bytes} escaped. */
    public static String escape(byte[] bytes) {
        return escape(bytes, 0, bytes.length);
    }

    /** Returns {@code bytes[from, to)} escaped, as {@code Terminator.Delimiter} prints its bytes. */
    public static String escape(byte[] bytes, int from, int to) {
        return Bytes.escape(bytes, from, to);
    }

    /** Returns {@code text} encoded as UTF-8 and escaped. */
    public static String escape(String text) {
        return escape(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns {@code bytes} escaped between double quotes, for messages: {@code "hello\r\n"}. */
    public static String quote(byte[] bytes) {
        return '"' + escape(bytes) + '"';
    }

    /**
     * Returns {@code bytes} quoted as {@link #quote(byte[])} does, but only the {@code radius} bytes on each side of
     * {@code index} when there are more, saying how many were left out: a failure about a large exchange shows
     * where it differs, not all of it.
     */
    public static String quoteAround(byte[] bytes, int index, int radius) {
        int from = Math.max(0, index - radius);
        int to = Math.min(bytes.length, index + radius);
        if (from == 0 && to == bytes.length) return quote(bytes);
        return (from > 0 ? "(" + from + " bytes, then) " : "") + '"' + escape(bytes, from, to) + '"'
                + (to < bytes.length ? " (then " + (bytes.length - to) + " bytes more)" : "");
    }

    /**
     * Returns {@code text} if it has at most {@code max} characters, else its head and tail with how many
     * characters were left out between them.
     */
    public static String cut(String text, int max) {
        if (text.length() <= max) return text;
        int keep = max / 2;
        return text.substring(0, keep) + " …(" + (text.length() - 2 * keep) + " characters left out)… "
                + text.substring(text.length() - keep);
    }

    /**
     * Returns the bytes that escaped {@code text} stands for: its characters in UTF-8, with {@code \r},
     * {@code \n}, {@code \t}, {@code \\}, {@code \"} and {@code \xHH} replaced by the bytes they name.
     *
     * @throws IllegalArgumentException naming the column of an unknown or incomplete escape
     */
    public static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int plainStart = 0;
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != '\\') {
                i++;
                continue;
            }
            out.writeBytes(text.substring(plainStart, i).getBytes(StandardCharsets.UTF_8));
            i += unescapeOne(text, i, out);
            plainStart = i;
        }
        out.writeBytes(text.substring(plainStart).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Writes the byte named by the escape at {@code text[at]} and returns the escape's length. */
    private static int unescapeOne(String text, int at, ByteArrayOutputStream out) {
        char c = at + 1 < text.length() ? text.charAt(at + 1) : 0;
        switch (c) {
            case 'r' -> out.write('\r');
            case 'n' -> out.write('\n');
            case 't' -> out.write('\t');
            case '\\' -> out.write('\\');
            case '"' -> out.write('"');
            case 'x' -> {
                out.write(hexByte(text, at));
                return 4;
            }
            default -> throw new IllegalArgumentException("unknown escape at column " + (at + 1)
                    + " (use \\r, \\n, \\t, \\\\ or \\xHH): " + text);
        }
        return 2;
    }

    private static int hexByte(String text, int at) {
        if (at + 4 > text.length()) {
            throw new IllegalArgumentException("\\x needs two hex digits at column " + (at + 1) + ": " + text);
        }
        int high = Character.digit(text.charAt(at + 2), 16);
        int low = Character.digit(text.charAt(at + 3), 16);
        if (high < 0 || low < 0) {
            throw new IllegalArgumentException("\\x needs two hex digits at column " + (at + 1) + ": " + text);
        }
        return high << 4 | low;
    }
}
