package io.loomchat.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the reader publishes for the watchdog and the stats: when the read under way began, when the unfinished
 * message began arriving, the bytes read and the terminators found. Written by the connection thread only, read
 * by any. The frequent writes are release stores: a plain move on x86, where a volatile store costs a fence,
 * several times per request.
 */
final class ReaderStamps {
    private static final VarHandle READ_SINCE;
    private static final VarHandle BYTES_IN;
    private static final VarHandle MESSAGES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READ_SINCE = lookup.findVarHandle(ReaderStamps.class, "readSince", long.class);
            BYTES_IN = lookup.findVarHandle(ReaderStamps.class, "bytesIn", long.class);
            MESSAGES = lookup.findVarHandle(ReaderStamps.class, "messages", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimeSource time;
    /** When the read in progress started, or 0 while dispatching: for the idle timeout. */
    private volatile long readSince;
    /** When an unfinished message under a delimiter began arriving, or 0: for the message timeout. */
    private volatile long messageSince;
    private volatile long bytesIn;
    private volatile long messages;

    ReaderStamps(TimeSource time) {
        this.time = time;
    }

    void readStarts() {
        READ_SINCE.setRelease(this, time.nanoTime() | 1);  // never 0, which means "not reading"
    }

    void readEnds(int n) {
        READ_SINCE.setRelease(this, 0L);
        if (n > 0) BYTES_IN.setRelease(this, bytesIn + n);
    }

    /** A message under a delimiter is still arriving: stamps when it began, unless stamped already. */
    void messageUnfinished() {
        if (messageSince == 0) messageSince = time.nanoTime() | 1;
    }

    /** The message ended, or the terminator changed. */
    void messageEnds() {
        if (messageSince != 0) messageSince = 0;
    }

    void found() {
        messageEnds();
        MESSAGES.setRelease(this, messages + 1);
    }

    long readSince() {
        return readSince;
    }

    long messageSince() {
        return messageSince;
    }

    long bytesIn() {
        return bytesIn;
    }

    long messages() {
        return messages;
    }
}
