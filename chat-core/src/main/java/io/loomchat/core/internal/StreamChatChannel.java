package io.loomchat.core.internal;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.Producer;
import io.loomchat.core.Terminator;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The channel of a {@link Connection}: terminator calls go to its reader, output calls to its pump. */
final class StreamChatChannel implements ChatChannel {
    private static final Logger LOG = LoggerFactory.getLogger(StreamChatChannel.class);

    private final Connection connection;
    private final TerminatorReader reader;
    private final ProducerPump pump;

    StreamChatChannel(Connection connection, TerminatorReader reader, ProducerPump pump) {
        this.connection = connection;
        this.reader = reader;
        this.pump = pump;
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
        reader.setTerminator(Terminator.count(count));
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
    public void push(byte[] data) {
        if (!pump.push(Objects.requireNonNull(data, "data"), 0, data.length, true, true)) droppedAfterClose("push()");
    }

    @Override
    public void pushWithoutCopy(byte[] data) {
        if (!pump.push(Objects.requireNonNull(data, "data"), 0, data.length, true, false)) {
            droppedAfterClose("pushWithoutCopy()");
        }
    }

    @Override
    public void push(String text) {
        push(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean tryPush(byte[] data) {
        return pump.push(Objects.requireNonNull(data, "data"), 0, data.length, false, true);
    }

    @Override
    public void pushWithProducer(Producer producer) {
        if (!pump.pushWithProducer(Objects.requireNonNull(producer, "producer"))) {
            droppedAfterClose("pushWithProducer()");
        }
    }

    @Override
    public void closeWhenDone() {
        pump.closeWhenDone();
    }

    @Override
    public void discardBuffers() {
        reader.discard();
        pump.discard();
    }

    @Override
    public void close() {
        connection.closeNow();
    }

    @Override
    public boolean isOpen() {
        return pump.isOpen();
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public String toString() {
        return "ChatChannel[" + connection.name() + ", " + connection.remoteAddress() + "]";
    }

    private void droppedAfterClose(String call) {
        LOG.debug("{}: {} while closing or closed: not written", connection.remoteAddress(), call);
    }
}
