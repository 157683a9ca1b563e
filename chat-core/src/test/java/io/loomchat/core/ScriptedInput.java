package io.loomchat.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An input stream that hands out scripted chunks, one per read call, so a test decides where reads split the
 * input. A chunk larger than the reader's buffer is handed out over several reads, in order.
 *
 * <p>With no chunk queued a read blocks, as a socket does, until a chunk is {@link #feed fed}, the input is
 * {@link #end ended} (read returns -1), {@link #fail fails} (read throws) or the stream is closed (read throws, as a
 * closed socket does).
 */
final class ScriptedInput extends InputStream {
    private static final byte[] END = new byte[0];
    private static final byte[] CLOSED = new byte[0];
    private static final byte[] FAILED = new byte[0];

    private final LinkedBlockingDeque<byte[]> chunks = new LinkedBlockingDeque<>();
    private final AtomicBoolean endReturned = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Returns a stream that hands out {@code chunks}, then ends. */
    static ScriptedInput of(List<byte[]> chunks) {
        ScriptedInput input = new ScriptedInput();
        chunks.forEach(input::feed);
        input.end();
        return input;
    }

    /** Returns a stream with nothing queued yet: reads block until the test feeds it. */
    static ScriptedInput open() {
        return new ScriptedInput();
    }

    /** Queues {@code chunk} to be handed out by the next read that finds nothing before it. */
    ScriptedInput feed(byte[] chunk) {
        if (chunk.length > 0) chunks.addLast(chunk.clone());
        return this;
    }

    /** Queues the ASCII/UTF-8 bytes of {@code text} as one chunk. */
    ScriptedInput feed(String text) {
        return feed(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the input after the chunks queued so far, like a peer's shutdownOutput. */
    void end() {
        chunks.addLast(END);
    }

    /** Makes the read after the chunks queued so far fail, like a connection reset by the peer. */
    void fail() {
        chunks.addLast(FAILED);
    }

    /** Returns whether a read returned end of stream. */
    boolean endReturned() {
        return endReturned.get();
    }

    /** Returns whether the connection closed this stream. */
    boolean isClosed() {
        return closed.get();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        byte[] chunk;
        try {
            chunk = chunks.takeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a scripted chunk");
        }
        if (chunk == CLOSED) {
            chunks.addFirst(CLOSED);
            throw new IOException("stream closed");
        }
        if (chunk == FAILED) throw new IOException("connection reset (scripted)");
        if (chunk == END) {
            chunks.addFirst(END);
            endReturned.set(true);
            return -1;
        }
        int n = Math.min(len, chunk.length);
        System.arraycopy(chunk, 0, b, off, n);
        if (n < chunk.length) chunks.addFirst(Arrays.copyOfRange(chunk, n, chunk.length));
        return n;
    }

    /** {@return the bytes of the next queued chunk}: what a read returns without blocking, as a socket's does. */
    @Override
    public int available() {
        byte[] next = chunks.peekFirst();
        return next == null || next == END || next == CLOSED || next == FAILED ? 0 : next.length;
    }

    /** Wakes a blocked read, which throws; so do later reads, as on a closed socket. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) chunks.addFirst(CLOSED);
    }
}
