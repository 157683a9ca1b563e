package io.loomchat.core.internal;

import io.loomchat.core.Terminator;
import java.util.List;

/**
 * Reads messages ended by any of several delimiters ({@link Terminator.Delimiters}): asynchat's delimiter
 * handling, with a {@link DelimiterSet} for the search and the prefix held back.
 */
final class DelimitersSplitter implements Splitter {
    private final List<Terminator.Delimiter> delimiters;
    private final DelimiterSet set;
    /** Whether part of a message has been collected since the last found terminator. */
    private boolean inMessage;

    DelimitersSplitter(Terminator.Delimiters terminator) {
        this.delimiters = terminator.delimiters();
        this.set = new DelimiterSet(delimiters.stream().map(Terminator.Delimiter::bytes).toList());
    }

    @Override
    public int split(byte[] buffer, int from, int to, Out out) {
        long found = set.find(buffer, from, to);
        if (found >= 0) {
            // The delimiter is here: collect what precedes it, drop it, dispatch.
            int at = (int) (found >>> 32);
            Terminator.Delimiter delimiter = delimiters.get((int) found);
            if (!out.collectLine(buffer, from, at)) return to;
            inMessage = false;
            out.found(delimiter);
            return at + delimiter.length();
        }
        // Hold back the longest end that begins a delimiter; collect the rest.
        int until = to - set.heldBack(buffer, from, to);
        if (until > from) {
            inMessage = true;
            out.collectLine(buffer, from, until);
        }
        return until;
    }

    @Override
    public boolean inMessage() {
        return inMessage;
    }
}
