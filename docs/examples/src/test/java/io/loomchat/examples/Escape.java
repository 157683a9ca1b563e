package io.loomchat.examples;

/** Escapes text for assertions, so that {@code \r}, {@code \n} and other control bytes show. */
final class Escape {
    private Escape() {
    }

    /** Escapes control characters; other characters, ASCII or not, stay as they are. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.chars().forEach(c -> sb.append(c >= 0x20 && c != 0x7f && c != '\\' ? Character.toString(c) : control(c)));
        return sb.toString();
    }

    private static String control(int c) {
        return switch (c) {
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\\' -> "\\\\";
            default -> String.format("\\x%02x", c);
        };
    }

    /** Escapes every byte that is not printable ASCII. */
    static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : control(c));
        }
        return sb.toString();
    }
}
