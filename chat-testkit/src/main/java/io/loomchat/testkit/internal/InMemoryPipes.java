package io.loomchat.testkit.internal;

import io.loomchat.core.Producer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stream pair under an {@link InMemoryConnection}: input fed by the test one fragment per read, output
 * kept whole, and the conditions the test waits on (the reader wants more input, a pump barrier ran, the
 * streams closed). One lock guards all of it; it is never held while calling loomchat.
 */
final class InMemoryPipes {
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change; the waiters are few (the test thread, the reader, the barrier). */
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> fragments = new ArrayDeque<>();
    private int headPosition;
    private boolean inputEnded;
    /** The connection ended the input (a timeout, a shutdown): later input is dropped, as a socket's would be. */
    private boolean inputShut;
    private boolean inputClosed;
    private boolean readerWaiting;
    private boolean readerSawEnd;
    private byte[] output = new byte[256];
    private int outputLength;
    private boolean outputClosed;
    private long barriersRun;
    private final InputStream in = new Input();
    private final OutputStream out = new Output();

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    /** Queues {@code bytes} as the next read; false if the test ended the input. */
    boolean offer(byte[] bytes) {
        lock.lock();
        try {
            if (inputShut) return true;
            if (inputEnded) return false;
            if (bytes.length > 0) fragments.add(bytes.clone());
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the input: the reader gets end of stream once it has read what was fed. */
    void endInput() {
        lock.lock();
        try {
            inputEnded = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the input from the connection's side, as {@code shutdownInput} on a socket: the reader gets end of
     * stream at once, and input fed later is dropped.
     */
    void shutInput() {
        lock.lock();
        try {
            inputShut = true;
            inputEnded = true;
            fragments.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the reader asks for input with none left, or will read no more; false at the deadline. */
    boolean awaitReaderIdle(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!(fragments.isEmpty() && readerWaiting) && !inputClosed && !readerSawEnd) {
                if (!await(deadline)) return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Returns a producer that, when the pump calls it, counts one barrier run and produces nothing. */
    Producer barrier() {
        return () -> {
            lock.lock();
            try {
                barriersRun++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            return null;
        };
    }

    /** Returns the number of barriers run so far. */
    long barriersRun() {
        lock.lock();
        try {
            return barriersRun;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until more than {@code before} barriers ran or the output closed; false at the deadline. */
    boolean awaitBarrier(long before, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (barriersRun <= before && !outputClosed) {
                if (!await(deadline)) return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean await(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        changed.awaitNanos(left);
        return true;
    }

    /** Returns everything written so far. */
    byte[] output() {
        lock.lock();
        try {
            return Arrays.copyOf(output, outputLength);
        } finally {
            lock.unlock();
        }
    }

    boolean outputClosed() {
        lock.lock();
        try {
            return outputClosed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies output from {@code position} on into {@code buffer}, waiting until there is some, the output is
     * closed, or the deadline passes: returns the count, -1 when closed with nothing more, 0 at the deadline.
     */
    int read(int position, byte[] buffer, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (outputLength <= position && !outputClosed) {
                if (!await(deadline)) return 0;
            }
            if (outputLength <= position) return -1;
            int n = Math.min(buffer.length, outputLength - position);
            System.arraycopy(output, position, buffer, 0, n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The connection's input: at most one fed fragment per read, never two merged. */
    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            if (length == 0) return 0;
            lock.lock();
            try {
                while (fragments.isEmpty() && !inputEnded && !inputClosed) {
                    readerWaiting = true;
                    changed.signalAll();
                    changed.await();
                }
                if (inputClosed) throw new IOException("input closed");
                if (fragments.isEmpty()) {
                    readerSawEnd = true;
                    changed.signalAll();
                    return -1;
                }
                return take(buffer, offset, length);
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted while waiting for input");
            } finally {
                readerWaiting = false;
                lock.unlock();
            }
        }

        private int take(byte[] buffer, int offset, int length) {
            byte[] head = fragments.peekFirst();
            int n = Math.min(length, head.length - headPosition);
            System.arraycopy(head, headPosition, buffer, offset, n);
            headPosition += n;
            if (headPosition == head.length) {
                fragments.removeFirst();
                headPosition = 0;
            }
            return n;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                inputClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The connection's output, kept whole so a test reads it at its own pace. */
    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            lock.lock();
            try {
                if (outputClosed) throw new IOException("output closed");
                if (outputLength + length > output.length) {
                    output = Arrays.copyOf(output, Math.max(outputLength + length, output.length * 2));
                }
                System.arraycopy(bytes, offset, output, outputLength, length);
                outputLength += length;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                outputClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
