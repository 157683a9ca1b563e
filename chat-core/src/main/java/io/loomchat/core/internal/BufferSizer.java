package io.loomchat.core.internal;

/**
 * Chooses the size of the reader's input buffer from how full its reads come back. When {@code inBufferSize}
 * is 4 KiB or more (the default) the buffer adapts: a quiet connection, or one that exchanges small messages,
 * reads into {@link #QUIET_BUFFER} bytes; a read that fills the buffer means the peer sends more than it holds (a
 * large message, a pipeline), so the next buffer is {@code inBufferSize}, then four times larger up to
 * {@link #MAX_GROWN_BUFFER}; a run of {@link #SMALL_READS_TO_SHRINK} reads that would fit in half the next
 * smaller size steps it down one size. A smaller {@code inBufferSize} is kept exactly, as asynchat's
 * {@code ac_in_buffer_size}.
 */
final class BufferSizer {
    static final int QUIET_BUFFER = 256;
    static final int MAX_GROWN_BUFFER = 64 * 1024;
    static final int SMALL_READS_TO_SHRINK = 16;

    /** The size the buffer starts at and returns to, the size it grows to first, and the most it grows to. */
    private final int quietSize;
    private final int inBufferSize;
    private final int maxSize;
    /** The last read filled the buffer: grow it before the next one. */
    private boolean grow;
    /** Small reads in a row into a grown buffer. */
    private int smallReads;

    BufferSizer(int inBufferSize) {
        boolean adapts = inBufferSize >= 4096;
        this.quietSize = adapts ? QUIET_BUFFER : inBufferSize;
        this.inBufferSize = inBufferSize;
        this.maxSize = adapts ? Math.max(inBufferSize, MAX_GROWN_BUFFER) : inBufferSize;
    }

    /** {@return the size of the first buffer} */
    int initialSize() {
        return quietSize;
    }

    /** Notes that a read into a buffer of {@code size} bytes asked for {@code wanted} and got {@code n}. */
    void read(int n, int wanted, int size) {
        if (n == wanted) {
            grow = size < maxSize;
            smallReads = 0;
        } else if (size > quietSize && n < smallerSize(size) / 2) {
            smallReads++;
        } else {
            smallReads = 0;
        }
    }

    /** Between reads, with the buffer empty: {@return the size the buffer should have now} */
    int nextSize(int size) {
        if (grow) {
            grow = false;
            return Math.min(size < inBufferSize ? inBufferSize : size * 4, maxSize);
        }
        if (smallReads >= SMALL_READS_TO_SHRINK) {
            smallReads = 0;
            return smallerSize(size);
        }
        return size;
    }

    /** The size a grown buffer shrinks to: inBufferSize from above it, the quiet size from there. */
    private int smallerSize(int size) {
        return size > inBufferSize ? inBufferSize : quietSize;
    }
}
