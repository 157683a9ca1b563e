package io.loomchat.core.internal;

import io.loomchat.core.ChatProtocolException;
import io.loomchat.core.Terminator;
import java.util.List;

/**
 * Reads strict {@code "\r\n"} lines ({@link Terminator.StrictLines}): finds the first {@code "\r"} or {@code "\n"};
 * a {@code "\r\n"} there ends the line, anything else there ends the input with a protocol error. A {@code "\r"}
 * at the end of the input read is held back until the next byte comes.
 */
final class StrictLinesSplitter implements Splitter {
    private static final Terminator.Delimiter CRLF = new Terminator.Delimiter(new byte[] {'\r', '\n'});
    private static final DelimiterSet LINE_ENDS = new DelimiterSet(List.of(new byte[] {'\r'}, new byte[] {'\n'}));
    /** Whether part of a line has been collected since the last found terminator. */
    private boolean inMessage;

    @Override
    public int split(byte[] buffer, int from, int to, Out out) {
        long found = LINE_ENDS.find(buffer, from, to);
        if (found < 0) {
            inMessage |= to > from;
            out.collectLine(buffer, from, to);
            return to;
        }
        int at = (int) (found >>> 32);
        boolean cr = buffer[at] == '\r';
        if (cr && at + 1 == to) {
            // A "\r" at the end: collect the line before it, and hold it back until the next byte comes.
            inMessage |= at > from;
            out.collectLine(buffer, from, at);
            return at;
        }
        if (!out.collectLine(buffer, from, at)) return to;
        if (cr && buffer[at + 1] == '\n') {
            inMessage = false;
            out.found(CRLF);
            return at + 2;
        }
        out.protocolError(ChatProtocolException.BARE_LINE_END, cr ? "a bare \\r in a line" : "a bare \\n in a line");
        return to;
    }

    @Override
    public boolean inMessage() {
        return inMessage;
    }
}
