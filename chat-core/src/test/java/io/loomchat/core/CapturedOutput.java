package io.loomchat.core;

import io.loomchat.core.internal.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An output stream that keeps what a connection wrote, and how much had been written when it was closed.
 * Writes after close fail, as on a closed socket. In memory only, so the lock never guards blocking I/O.
 */
final class CapturedOutput extends OutputStream {
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean closed;
    private int sizeAtClose = -1;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        lock.lock();
        try {
            if (closed) throw new IOException("write after close");
            bytes.write(b, off, len);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            sizeAtClose = bytes.size();
        } finally {
            lock.unlock();
        }
    }

    /** Returns a copy of everything written so far. */
    byte[] bytes() {
        lock.lock();
        try {
            return bytes.toByteArray();
        } finally {
            lock.unlock();
        }
    }

    /** Returns everything written so far, escaped so that {@code \r\n} shows. */
    String escaped() {
        byte[] b = bytes();
        return Bytes.escape(b, 0, b.length);
    }

    /** Returns whether the connection closed this stream. */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Returns how many bytes had been written when the stream was closed, or -1 while it is open. */
    int sizeAtClose() {
        lock.lock();
        try {
            return sizeAtClose;
        } finally {
            lock.unlock();
        }
    }
}
