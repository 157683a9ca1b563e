package io.loomchat.core;

/**
 * The reference: CPython 3.11's {@code asynchat.async_chat.handle_read} and {@code find_prefix_at_end}, ported
 * statement by statement (Lib/asynchat.py), with the session's {@code found_terminator} setting the next
 * terminator of a {@link Schedule}. Feed it each piece of input as a {@code recv} would return it;
 * {@link #received()} is then what asynchat would have given the session.
 *
 * <p>What it has received depends only on the input fed so far, not on how it was split: asynchat processes all
 * it has before it returns to {@code select}, keeping back only a proper prefix of the delimiter that ends
 * {@code ac_in_buffer}, which is the longest one that ends the input since the last terminator.
 *
 * <p>The one liberty: {@code ac_in_buffer} is kept as an array and a start index instead of being sliced at each
 * turn (which would be quadratic on megabytes of small counts); the values it holds are the same.
 */
final class AsynchatModel {
    private final Schedule schedule;
    private final Received received = new Received();
    /** asynchat's {@code self.terminator}: a {@code byte[]} delimiter, a {@code Long} count, or null (None). */
    private Object terminator;
    /** asynchat's {@code ac_in_buffer} is {@code acInBuffer[acStart:]}. */
    private byte[] acInBuffer = new byte[0];
    private int acStart;
    private long fed;

    AsynchatModel(Schedule schedule) {
        this.schedule = schedule;
        setTerminator(schedule.initial());
    }

    /** {@return the completed messages and the partial one, as asynchat gave them to the session} */
    Received received() {
        return received;
    }

    /** {@return the bytes fed so far} */
    long fed() {
        return fed;
    }

    /** {@return the bytes read but held back: {@code ac_in_buffer} between two reads} */
    byte[] heldBack() {
        return java.util.Arrays.copyOfRange(acInBuffer, acStart, acInBuffer.length);
    }

    private void setTerminator(Terminator t) {
        // def set_terminator(self, term): ... self.terminator = term
        terminator = switch (t) {
            case Terminator.Delimiter d -> d.bytes();
            case Terminator.Count c -> c.remaining();
            case Terminator.None n -> null;
            default -> throw new IllegalArgumentException("not one of asynchat's terminators: " + t);
        };
    }

    /** The session's found_terminator: record the message end, set the next terminator of the schedule. */
    private void foundTerminator() {
        received.found();
        setTerminator(schedule.afterFound(received.messages()));
    }

    private void collectIncomingData(byte[] buffer, int from, int to) {
        received.collect(buffer, from, to);
    }

    /** {@code handle_read} after {@code data = self.recv(self.ac_in_buffer_size)} returned {@code data}. */
    void handleRead(byte[] data) {
        fed += data.length;
        // self.ac_in_buffer = self.ac_in_buffer + data
        byte[] buf;
        if (acStart == acInBuffer.length) {
            buf = data;
        } else {
            int held = acInBuffer.length - acStart;
            buf = new byte[held + data.length];
            System.arraycopy(acInBuffer, acStart, buf, 0, held);
            System.arraycopy(data, 0, buf, held, data.length);
        }
        int start = 0;
        int end = buf.length;

        // while self.ac_in_buffer:
        while (start < end) {
            int lb = end - start;
            Object terminator = this.terminator;
            if (!truthy(terminator)) {
                // no terminator, collect it all
                collectIncomingData(buf, start, end);
                start = end;
            } else if (terminator instanceof Long n) {
                // numeric terminator
                if (lb < n) {
                    collectIncomingData(buf, start, end);
                    start = end;
                    this.terminator = n - lb;
                } else {
                    int count = (int) (long) n;
                    collectIncomingData(buf, start, start + count);
                    start += count;
                    this.terminator = 0L;
                    foundTerminator();
                }
            } else {
                byte[] term = (byte[]) terminator;
                int terminatorLen = term.length;
                int index = find(buf, start, end, term);
                if (index != -1) {
                    // we found the terminator
                    if (index > 0) {
                        // don't bother reporting the empty string (source of subtle bugs)
                        collectIncomingData(buf, start, start + index);
                    }
                    start = start + index + terminatorLen;
                    // This does the Right Thing if the terminator is changed here.
                    foundTerminator();
                } else {
                    // check for a prefix of the terminator
                    index = findPrefixAtEnd(buf, start, end, term);
                    if (index != 0) {
                        if (index != lb) {
                            // we found a prefix, collect up to the prefix
                            collectIncomingData(buf, start, end - index);
                            start = end - index;
                        }
                        break;
                    } else {
                        // no prefix, collect it all
                        collectIncomingData(buf, start, end);
                        start = end;
                    }
                }
            }
        }
        acInBuffer = buf;
        acStart = start;
    }

    /** Python truth: None, 0 and b'' are false. */
    private static boolean truthy(Object terminator) {
        return switch (terminator) {
            case null -> false;
            case Long n -> n != 0;
            case byte[] b -> b.length != 0;
            default -> throw new IllegalStateException("terminator " + terminator);
        };
    }

    /** {@code bytes.find}: the index of the first {@code needle} in {@code buf[start:end]}, relative to start. */
    static int find(byte[] buf, int start, int end, byte[] needle) {
        outer:
        for (int i = start; i + needle.length <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) continue outer;
            }
            return i - start;
        }
        return -1;
    }

    /**
     * <pre>
     * def find_prefix_at_end(haystack, needle):
     *     l = len(needle) - 1
     *     while l and not haystack.endswith(needle[:l]):
     *         l -= 1
     *     return l
     * </pre>
     * with {@code haystack = buf[start:end]}.
     */
    static int findPrefixAtEnd(byte[] buf, int start, int end, byte[] needle) {
        int l = needle.length - 1;
        while (l != 0 && !endsWith(buf, start, end, needle, l)) l--;
        return l;
    }

    private static boolean endsWith(byte[] buf, int start, int end, byte[] needle, int l) {
        if (end - start < l) return false;
        for (int j = 0; j < l; j++) {
            if (buf[end - l + j] != needle[j]) return false;
        }
        return true;
    }
}
