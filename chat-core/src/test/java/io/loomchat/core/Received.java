package io.loomchat.core;

import java.util.Arrays;

/**
 * What a session received, flattened: every byte given to collectIncomingData, in order, and where each
 * foundTerminator fell in that stream. Two of these are equal exactly when they hold the same completed messages
 * and the same partial message, however the collect calls were split.
 *
 * <p>Not thread-safe: it is written and compared on the connection thread, and read by the test thread only
 * after the connection closed.
 */
final class Received {
    private byte[] bytes = new byte[256];
    private int length;
    /** The stream offset at each foundTerminator: message k is {@code [ends[k-1], ends[k])}. */
    private int[] ends = new int[16];
    private int messages;

    void collect(byte[] data, int from, int to) {
        int n = to - from;
        if (length + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        System.arraycopy(data, from, bytes, length, n);
        length += n;
    }

    void collect(byte[] data) {
        collect(data, 0, data.length);
    }

    void found() {
        if (messages == ends.length) ends = Arrays.copyOf(ends, messages * 2);
        ends[messages++] = length;
    }

    /** {@return the bytes collected so far} */
    int length() {
        return length;
    }

    /** {@return the foundTerminator calls so far: the completed messages} */
    int messages() {
        return messages;
    }

    /** {@return where the partial message, collected since the last foundTerminator, begins} */
    int partialStart() {
        return messages == 0 ? 0 : ends[messages - 1];
    }

    /** {@return the length of message {@code k}; {@code k == messages()} is the partial one} */
    int messageLength(int k) {
        return messageEnd(k) - messageStart(k);
    }

    private int messageStart(int k) {
        return k == 0 ? 0 : ends[k - 1];
    }

    private int messageEnd(int k) {
        return k < messages ? ends[k] : length;
    }

    /**
     * Compares {@code actual} to {@code this} (the expected side) from {@code checked} on, where {@code checked}
     * says how much of both was already found equal; returns null if they are equal, else the first difference in
     * words. On success {@code checked} is moved to the end, so a run of checks costs what the streams grew by.
     */
    String compare(Received actual, Checked checked) {
        boolean same = length == actual.length && messages == actual.messages
                && Arrays.equals(bytes, checked.bytes, length, actual.bytes, checked.bytes, length)
                && Arrays.equals(ends, checked.messages, messages, actual.ends, checked.messages, messages);
        if (same) {
            checked.bytes = length;
            checked.messages = messages;
            return null;
        }
        return describeDifference(actual);
    }

    /** How much of two streams was found equal. */
    static final class Checked {
        int bytes;
        int messages;
    }

    /** Names the first message (or the partial one) that differs, with the bytes around the difference. */
    private String describeDifference(Received actual) {
        StringBuilder sb = new StringBuilder();
        sb.append("expected ").append(summary()).append("; got ").append(actual.summary()).append('\n');
        int k = 0;
        while (k <= Math.min(messages, actual.messages)) {
            boolean bothComplete = k < messages && k < actual.messages;
            boolean bothPartial = k == messages && k == actual.messages;
            if (!(bothComplete || bothPartial) || !Arrays.equals(bytes, messageStart(k), messageEnd(k),
                    actual.bytes, actual.messageStart(k), actual.messageEnd(k))) {
                break;
            }
            k++;
        }
        sb.append("  first difference in ").append(k < messages || k < actual.messages ? "message #" + k : "the partial message")
                .append(":\n");
        // The bytes both have in common: the message may be equal but complete on one side only.
        int common = Arrays.mismatch(bytes, messageStart(k), messageEnd(k),
                actual.bytes, actual.messageStart(k), actual.messageEnd(k));
        if (common < 0) common = messageLength(k);
        sb.append("    expected ").append(describeMessage(k, common)).append('\n');
        sb.append("    got      ").append(actual.describeMessage(k, common));
        return sb.toString();
    }

    private String describeMessage(int k, int common) {
        int start = messageStart(k);
        int end = messageEnd(k);
        int n = end - start;
        String kind = k < messages ? "complete" : "partial";
        int context = Math.max(0, common - 8);
        return String.format("%s, %,d bytes, %s\"%s\"%s", kind, n,
                context > 0 ? "[" + String.format("%,d", context) + " equal bytes] " : "",
                escape(bytes, start + context, Math.min(end, start + common + 24)),
                end > start + common + 24 ? " +" + String.format("%,d", end - (start + common + 24)) + " more" : "");
    }

    /** {@return e.g. "3 messages (5, 0 and 10,000 bytes) + partial of 4,000 bytes"} */
    String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(messages).append(messages == 1 ? " message" : " messages");
        if (messages > 0) {
            sb.append(" (");
            int from = Math.max(0, messages - 4);
            if (from > 0) sb.append("..., ");
            for (int k = from; k < messages; k++) {
                sb.append(String.format("%,d", messageLength(k))).append(k + 1 < messages ? ", " : "");
            }
            sb.append(" bytes)");
        }
        return sb.append(String.format(" + partial of %,d bytes", length - partialStart())).toString();
    }

    /** Escapes bytes as printable ASCII (\r, \n, \xNN); test-only, so no internal API. */
    static String escape(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (c >= 0x20 && c < 0x7f) sb.append((char) c);
                    else sb.append(String.format("\\x%02x", c));
                }
            }
        }
        return sb.toString();
    }

    static String escape(byte[] b) {
        return escape(b, 0, b.length);
    }
}
