package io.loomchat.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * An input stream that serves scripted chunks and reports each point where a real reader would block.
 *
 * <p>A read returns at most the rest of the current chunk; {@link #available()} is what is left of it (0 at a
 * chunk boundary, which is the truth: nothing more is there yet). A read called with the current chunk used up
 * is where a socket read would wait for the peer: there, on the reading thread and before anything more is
 * served, the {@link BlockPoint} is called with the chunk just used up. Then the next chunk is served; after the
 * last, the block point is called once more and the read returns -1.
 *
 * <p>All of it runs on the thread that reads (the connection thread), so the block point may look at the
 * session's recordings without locks. It must not throw: an exception out of {@code read} is an I/O error to the
 * reader.
 */
final class BlockPointInput extends InputStream {
    /** Called where a read would block. */
    @FunctionalInterface
    interface BlockPoint {
        /**
         * @param used the chunks used up so far, from 0 (the first read) to all of them (the read that ends)
         * @param chunk the chunk just used up, or null at the first read
         */
        void reached(int used, byte[] chunk);
    }

    private final List<byte[]> chunks;
    private final BlockPoint blockPoint;
    /** The chunk being served, -1 before the first read, chunks.size() once ended. */
    private int current = -1;
    private int position;
    private volatile boolean endReturned;
    private volatile boolean closed;

    BlockPointInput(List<byte[]> chunks, BlockPoint blockPoint) {
        for (byte[] c : chunks) {
            if (c.length == 0) throw new IllegalArgumentException("an empty chunk");
        }
        this.chunks = List.copyOf(chunks);
        this.blockPoint = blockPoint;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        if (current == chunks.size()) return -1;
        if (current < 0 || position == chunks.get(current).length) {
            // Nothing is left: a socket read would block here, waiting for the peer.
            blockPoint.reached(current + 1, current < 0 ? null : chunks.get(current));
            current++;
            position = 0;
            if (current == chunks.size()) {
                endReturned = true;
                return -1;
            }
        }
        byte[] chunk = chunks.get(current);
        int n = Math.min(len, chunk.length - position);
        System.arraycopy(chunk, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return current < 0 || current >= chunks.size() ? 0 : chunks.get(current).length - position;
    }

    /** {@return whether a read returned the end of the input} */
    boolean endReturned() {
        return endReturned;
    }

    @Override
    public void close() {
        closed = true;
    }
}
