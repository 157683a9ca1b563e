package io.loomchat.core.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The writing end of a connection's output: every write stamped for the write timeout, and queued segments
 * gathered into one system call where the stream is a {@link ChannelOutputStream} (plain TCP).
 *
 * <p>One thread writes at a time: the pump thread, or the connection thread in a write-through while the pump
 * waits. The stamps are volatile for the watchdog and for pushes waiting on the queue to drain.
 */
final class PumpOutput {
    /** The most segments taken for one write. */
    static final int MAX_GATHER = 64;
    /** The most bytes taken for one write: a few full segments, so a write is a few large system calls at most. */
    static final int MAX_GATHER_BYTES = 4 * Segment.MAX_SIZE;

    /** The stream written; replaced once by {@link #switchTo} at a {@link TlsSwitch}, while nothing writes. */
    private volatile OutputStream out;
    private final TimeSource time;
    /** {@link #out} where it can gather, else null. */
    private volatile ChannelOutputStream channel;
    /** When the write in progress started (the connection's time), or 0: read by the watchdog. */
    private volatile long writeSince;
    /** When bytes last went out (the connection's time), or 0: a connection busy writing is not idle. */
    private volatile long lastWrite;
    /** Bytes written so far. */
    private volatile long bytesOut;

    PumpOutput(OutputStream out, TimeSource time) {
        this.out = out;
        this.time = time;
        this.channel = out instanceof ChannelOutputStream c ? c : null;
    }

    /**
     * Writes to {@code tls} from now on: called by the connection thread at a {@link TlsSwitch}, while the pump
     * waits at the marker and nothing else writes.
     */
    void switchTo(OutputStream tls) {
        channel = null;
        out = tls;
    }

    /** {@return whether several segments go out in one system call} Where not, sharing a caller's array saves nothing. */
    boolean gathers() {
        return channel != null;
    }

    /** Returns when the write in progress started, or 0 if none is. */
    long writeSince() {
        return writeSince;
    }

    long lastWrite() {
        return lastWrite;
    }

    long bytesOut() {
        return bytesOut;
    }

    /**
     * Writes the segments, in order: gathered into as few system calls as the socket takes where the stream
     * allows, else one after another.
     *
     * <p>The JDK copies every heap buffer of a gathering write into a temporary direct buffer before the call,
     * again at each retry. So after a write that the socket took only part of (a peer reading slower than we
     * write), the next calls offer at most 64 KiB: a slow peer costs no more copying than a plain stream write.
     */
    void write(List<Segment> segments) throws IOException {
        int count = segments.size();
        ChannelOutputStream channel = this.channel;
        if (channel == null || count <= 1) {
            for (Segment segment : segments) write(segment.bytes, segment.offset, segment.length);
            return;
        }
        // Made for each write, not kept: an idle connection holds no buffers.
        ByteBuffer[] buffers = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            Segment segment = segments.get(i);
            buffers[i] = ByteBuffer.wrap(segment.bytes, segment.offset, segment.length);
        }
        int span = count;
        for (int first = 0; first < count; ) {
            writeSince = time.nanoTime() | 1;  // never 0, which means "not writing"
            long written;
            try {
                written = channel.write(buffers, first, span);
            } finally {
                writeSince = 0;
            }
            bytesOut += written;
            lastWrite = time.nanoTime();
            while (first < count && !buffers[first].hasRemaining()) first++;
            span = slowSpan(buffers, first, count);
        }
    }

    /** After a partial write: how many buffers from {@code first} make up at most 64 KiB (at least one). */
    private static int slowSpan(ByteBuffer[] buffers, int first, int count) {
        int span = 0;
        for (long bytes = 0; first + span < count; span++) {
            bytes += buffers[first + span].remaining();
            if (bytes > Segment.MAX_SIZE && span > 0) break;
        }
        return span;
    }

    /**
     * Writes to the stream in pieces of at most 64 KiB, each stamped for the watchdog: the write timeout
     * measures a peer that stops reading, not a large write to one that reads steadily.
     */
    void write(byte[] bytes, int offset, int length) throws IOException {
        for (int end = offset + length; offset < end; ) {
            int n = Math.min(Segment.MAX_SIZE, end - offset);
            writeSince = time.nanoTime() | 1;
            try {
                out.write(bytes, offset, n);
            } finally {
                writeSince = 0;
            }
            offset += n;
            bytesOut += n;
            lastWrite = time.nanoTime();
        }
    }

    /** Flushes the stream, stamped for the write timeout: a buffered stream writes here. */
    void flush() throws IOException {
        writeSince = time.nanoTime() | 1;
        try {
            out.flush();
        } finally {
            writeSince = 0;
        }
    }
}
