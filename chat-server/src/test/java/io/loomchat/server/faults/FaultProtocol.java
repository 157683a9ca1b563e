package io.loomchat.server.faults;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Producer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A line protocol for the fault suite. Commands, one per line:
 * {@code ECHO text} replies {@code text}; {@code BIG n} replies n bytes of 'x' then a newline; {@code QUIT}
 * replies {@code bye} and closes when done;
 * {@code THROW} throws from foundTerminator; {@code BADPRODUCER} queues a producer that throws;
 * {@code STUCKPRODUCER} queues a producer that blocks until interrupted.
 */
class FaultProtocol implements ChatSession {
    /** Sessions that heard closed(), and errors seen by handleError, across the test. */
    static final AtomicInteger CLOSED = new AtomicInteger();
    static final AtomicInteger ERRORS = new AtomicInteger();
    static final AtomicInteger INTERRUPTED_PRODUCERS = new AtomicInteger();
    static final CountDownLatch NEVER = new CountDownLatch(1);

    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    FaultProtocol(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\n");
    }

    static void reset() {
        CLOSED.set(0);
        ERRORS.set(0);
        INTERRUPTED_PRODUCERS.set(0);
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        String command = line.toString(StandardCharsets.UTF_8).strip();
        line.reset();
        if (command.startsWith("ECHO ")) {
            channel.push(command.substring(5) + "\n");
        } else if (command.startsWith("BIG ")) {
            byte[] big = new byte[Integer.parseInt(command.substring(4)) + 1];
            Arrays.fill(big, (byte) 'x');
            big[big.length - 1] = '\n';
            channel.push(big);
        } else if (command.equals("QUIT")) {
            channel.push("bye\n");
            channel.closeWhenDone();
        } else if (command.equals("THROW")) {
            throw new IllegalStateException("THROW asked for it");
        } else if (command.equals("BADPRODUCER")) {
            channel.pushWithProducer(() -> {
                throw new IllegalStateException("a producer that throws");
            });
        } else if (command.equals("ERRORPRODUCER")) {
            channel.pushWithProducer(() -> {
                throw new AssertionError("an Error, not an Exception, from a producer");
            });
        } else if (command.startsWith("SLOWDOWNLOAD ")) {
            channel.pushWithProducer(slowDownload(Integer.parseInt(command.substring(13))));
        } else if (command.equals("STUCKPRODUCER")) {
            channel.pushWithProducer(stuck());
        } else {
            channel.push("? " + command + "\n");
        }
    }

    /** {@code pieces} pieces of 16 KiB, 100 ms apart: a download that takes a while, then a newline. */
    private static Producer slowDownload(int pieces) {
        int[] left = {pieces};
        return () -> {
            if (left[0] < 0) return null;
            if (left[0]-- == 0) return new byte[] {'\n'};
            Thread.sleep(100);  // the download's own pace
            byte[] piece = new byte[16 * 1024];
            Arrays.fill(piece, (byte) 'd');
            return piece;
        };
    }

    private static Producer stuck() {
        return () -> {
            try {
                NEVER.await();
            } catch (InterruptedException e) {
                INTERRUPTED_PRODUCERS.incrementAndGet();
                throw e;
            }
            return null;
        };
    }

    @Override
    public void handleError(ChatChannel channel, Throwable error) {
        ERRORS.incrementAndGet();
        ChatSession.super.handleError(channel, error);
    }

    @Override
    public void closed() {
        CLOSED.incrementAndGet();
    }
}
