package io.loomchat.server.faults;

/** Bytes shown in a failure message: escaped, so {@code \n} shows, and cut short around what matters. */
final class Escaped {
    /** The most bytes shown of one line. */
    private static final int SHOWN = 60;

    private Escaped() {
    }

    /** {@return {@code bytes[from, to)} escaped, the first 60 of them, with the length if there are more} */
    static String excerpt(byte[] bytes, int from, int to) {
        int end = Math.min(to, from + SHOWN);
        String shown = escape(bytes, from, end);
        return end < to ? shown + "… (" + (to - from) + " bytes)" : shown;
    }

    /** {@return where {@code actual[0, n)} first differs from {@code expected}, with both around that point} */
    static String difference(byte[] expected, byte[] actual, int n) {
        int at = 0;
        while (at < n && at < expected.length && actual[at] == expected[at]) at++;
        int from = Math.max(0, at - 20);
        return "expected " + expected.length + " bytes, got " + n + ", first difference at byte " + at
                + ": expected \"" + excerpt(expected, from, expected.length) + "\", got \""
                + excerpt(actual, from, n) + "\" (both from byte " + from + ")";
    }

    private static String escape(byte[] bytes, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                default -> s.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
        }
        return s.toString();
    }
}
