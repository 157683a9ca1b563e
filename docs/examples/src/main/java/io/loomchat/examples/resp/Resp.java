package io.loomchat.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** RESP2 encoding and parsing for {@link RespServer}: replies as bytes, and the numbers and words of requests. */
final class Resp {
    private static final byte[] NIL = ascii("$-1\r\n");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

    private Resp() {
    }

    /** Returns a Redis integer of the decimal {@code bytes}; Redis allows no sign but '-', no spaces. */
    static long parseInteger(byte[] bytes) {
        String digits = text(bytes);
        if (!INTEGER.matcher(digits).matches()) throw new NumberFormatException(digits);
        return Long.parseLong(digits);
    }

    /** Returns the length in a {@code *N} or {@code $N} header line, or -2 if it is not a number in -1..max. */
    static int parseLength(byte[] header, int end, int max) {
        if (end == 3 && header[1] == '-' && header[2] == '1') return -1;
        if (end < 2 || end > 11) return -2;
        long length = 0;
        for (int i = 1; i < end; i++) {
            int digit = header[i] - '0';
            if (digit < 0 || digit > 9) return -2;
            length = length * 10 + digit;
        }
        return length <= max ? (int) length : -2;
    }

    /** Returns {@code type}, {@code n} in decimal and CRLF, as in {@code $5\r\n}, without making a String. */
    static byte[] lengthLine(char type, int n) {
        int digits = 1;
        for (int rest = n; rest >= 10; rest /= 10) digits++;
        byte[] line = new byte[digits + 3];
        line[0] = (byte) type;
        for (int i = digits, rest = n; i > 0; i--, rest /= 10) line[i] = (byte) ('0' + rest % 10);
        line[digits + 1] = '\r';
        line[digits + 2] = '\n';
        return line;
    }

    /** The words of an inline command: {@code line[0, end)} split at spaces and tabs. */
    static List<byte[]> words(byte[] line, int end) {
        List<byte[]> words = new ArrayList<>(4);
        for (int i = 0; i < end; ) {
            if (line[i] == ' ' || line[i] == '\t') {
                i++;
                continue;
            }
            int start = i;
            while (i < end && line[i] != ' ' && line[i] != '\t') i++;
            words.add(Arrays.copyOfRange(line, start, i));  // line is reused: each word gets its own array
        }
        return words;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] bulk(byte[] data) {
        if (data == null) return NIL;
        byte[] header = lengthLine('$', data.length);
        byte[] reply = Arrays.copyOf(header, header.length + data.length + 2);
        System.arraycopy(data, 0, reply, header.length, data.length);
        reply[reply.length - 2] = '\r';
        reply[reply.length - 1] = '\n';
        return reply;
    }

    static byte[] integer(long value) {
        return ascii(":" + value + "\r\n");
    }

    static byte[] error(String message) {
        return ascii("-ERR " + message + "\r\n");
    }
}
