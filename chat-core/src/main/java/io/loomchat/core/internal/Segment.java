package io.loomchat.core.internal;

import java.util.Arrays;

/**
 * Pushed bytes in the output FIFO. A segment of its own is appended to while it waits at the tail, so a burst of
 * small replies leaves in one write; a shared one wraps a caller's array ({@code pushWithoutCopy}) and is written
 * as it is.
 */
final class Segment {
    /** The first size of a segment of its own. */
    static final int MIN_SIZE = 256;
    /** Segments grow to this size at most; a larger push gets a segment of its own. */
    static final int MAX_SIZE = 64 * 1024;

    byte[] bytes;
    /** Where the bytes start: 0 except in a shared segment. */
    int offset;
    int length;
    /** True if {@link #bytes} is the caller's: never appended to, never reused. */
    final boolean shared;

    private Segment(byte[] bytes, int offset, int length, boolean shared) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.shared = shared;
    }

    /** {@return an empty segment that holds {@code needed} bytes, to append to} */
    static Segment owned(int needed) {
        // Small first: a reply is often a few bytes, and a burst grows the segment as it comes.
        return new Segment(new byte[grown(MIN_SIZE, needed)], 0, 0, false);
    }

    /** {@return a segment of the caller's bytes, not copied} */
    static Segment shared(byte[] bytes, int offset, int length) {
        return new Segment(bytes, offset, length, true);
    }

    int capacity() {
        return bytes.length;
    }

    /** Whether this segment may be kept for reuse once written. */
    boolean reusable() {
        return !shared && bytes.length <= MAX_SIZE;
    }

    /**
     * The capacity for {@code needed} bytes: {@code capacity} times a power of four, at most 64 KiB. Growing
     * fourfold, a burst of large replies grows a segment once or twice, not at every push, and a 16 KiB reply
     * goes straight into a full-size segment that the next replies fill.
     */
    static int grown(int capacity, int needed) {
        if (needed > MAX_SIZE) return needed;  // a push of its own
        while (capacity < needed) capacity *= 4;
        return Math.min(capacity, MAX_SIZE);
    }

    /** Appends a copy of the bytes if they fit (growing this segment up to 64 KiB); false if they do not. */
    boolean tryAppend(byte[] data, int from, int count) {
        if (shared) return false;
        int needed = length + count;
        if (needed > bytes.length) {
            if (length > 0 && needed > MAX_SIZE) return false;
            bytes = length == 0 ? new byte[grown(bytes.length, needed)] : Arrays.copyOf(bytes, grown(bytes.length, needed));
        }
        System.arraycopy(data, from, bytes, length, count);
        length = needed;
        return true;
    }
}
