package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.Producer;
import io.loomchat.core.Terminator;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A connection's channel: terminator calls go to its reader, output calls to its output queue. */
final class StreamChatChannel implements ChatChannel {
    private static final Logger LOG = LoggerFactory.getLogger(StreamChatChannel.class);

    /** The connection's name, for toString. */
    private final String name;
    private final SocketAddress remoteAddress;
    /** The session's close: inside its error hook, the error's. */
    private final Runnable close;
    /** The connection's startTls, which checks the thread. */
    private final Consumer<SSLContext> startTls;
    private final TerminatorReader reader;
    private final OutputQueue queue;
    private final ProducerPump pump;
    private final ReplyHold hold;

    StreamChatChannel(String name, SocketAddress remoteAddress, Runnable close, Consumer<SSLContext> startTls,
                      TerminatorReader reader, OutputQueue queue, ProducerPump pump, ReplyHold hold) {
        this.startTls = startTls;
        this.name = name;
        this.remoteAddress = remoteAddress;
        this.close = close;
        this.reader = reader;
        this.queue = queue;
        this.pump = pump;
        this.hold = hold;
    }

    @Override
    public void setTerminator(String delimiter) {
        reader.setTerminator(Terminator.delimiter(delimiter));
    }

    @Override
    public void setTerminator(byte[] delimiter) {
        reader.setTerminator(Terminator.delimiter(delimiter));
    }

    @Override
    public void setTerminator(long count) {
        reader.setCount(count);
    }

    @Override
    public void setTerminator(Terminator terminator) {
        reader.setTerminator(Objects.requireNonNull(terminator, "terminator"));
    }

    @Override
    public Terminator getTerminator() {
        return reader.getTerminator();
    }

    @Override
    public Terminator.Delimiter lastDelimiter() {
        return reader.lastDelimiter();
    }

    @Override
    public void push(byte[] data) {
        if (!push(Objects.requireNonNull(data, "data"), true, true)) droppedAfterClose("push()");
    }

    @Override
    public void pushWithoutCopy(byte[] data) {
        if (!push(Objects.requireNonNull(data, "data"), true, false)) {
            droppedAfterClose("pushWithoutCopy()");
        }
    }

    @Override
    public void push(String text) {
        push(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean tryPush(byte[] data) {
        return push(Objects.requireNonNull(data, "data"), false, true);
    }

    @Override
    public void pushWithProducer(Producer producer) {
        if (!queue.offer(Objects.requireNonNull(producer, "producer"))) {
            droppedAfterClose("pushWithProducer()");
        }
    }

    @Override
    public void closeWhenDone() {
        queue.offer(OutputQueue.CLOSE_WHEN_DONE);
    }

    @Override
    public void shutdownOutputWhenDone() {
        queue.offer(OutputQueue.SHUTDOWN_OUTPUT_WHEN_DONE);
    }

    @Override
    public void discardBuffers() {
        reader.discard();
        queue.discard();
    }

    @Override
    public void close() {
        close.run();
    }

    @Override
    public void startTls(SSLContext context) {
        startTls.accept(Objects.requireNonNull(context, "context"));
    }

    @Override
    public boolean isOpen() {
        return queue.isOpen();
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "ChatChannel[" + name + ", " + remoteAddress + "]";
    }

    /**
     * Queues {@code data}, a copy of it unless {@code copy} is false; returns false if the channel is closing, or
     * (unless {@code wait}) if the queue is over the high watermark. Over it, a push waits for the queue to drain
     * to the low watermark once, then queues whatever others pushed meanwhile: the peer made progress. A peer
     * that does not read blocks the write that would drain it, and the write timeout closes the connection,
     * which ends the wait (see {@link OutputQueue#awaitDrained()}).
     */
    private boolean push(byte[] data, boolean wait, boolean copy) {
        // The pump thread never waits for itself (a producer's error hook pushing, say): it queues over the high
        // watermark, up to four times it, and no further.
        boolean pumping = pump.isPumpThread(Thread.currentThread());
        long limit = pumping ? 4L * queue.highWatermark() : queue.highWatermark();
        OutputQueue.Offer offer = queue.offer(data, 0, data.length, copy, limit);
        if (offer != OutputQueue.Offer.FULL) return offer == OutputQueue.Offer.QUEUED;
        // A caller that retries (tryPush in a loop) or waits needs its own connection's replies moving meanwhile,
        // and this queue's: its connection thread may hold the wake-up that the drain needs.
        ReplyHold.releaseOwn();
        hold.deliverPending();
        if (!wait || pumping) return false;
        if (!queue.awaitDrained()) return false;
        return queue.offer(data, 0, data.length, copy, Long.MAX_VALUE) == OutputQueue.Offer.QUEUED;
    }

    private void droppedAfterClose(String call) {
        LOG.debug("{}: {} while closing or closed: not written", remoteAddress, call);
    }
}
