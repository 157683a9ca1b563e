package io.loomchat.server;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Producers;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The client of PyMOTW's asynchat echo example: pushes {@code ECHO <n>\n}, then the message through
 * {@link Producers#simple}, and collects whatever comes back until the server closes.
 */
final class EchoClient implements ChatSession {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> echoed;

    private EchoClient(ChatChannel channel, byte[] message, int chunkSize, CompletableFuture<byte[]> echoed) {
        this.echoed = echoed;
        channel.push("ECHO " + message.length + "\n");
        channel.pushWithProducer(Producers.simple(message, chunkSize));
        channel.setTerminator(Terminator.none());
    }

    /** Connects to 127.0.0.1:{@code port} and starts the conversation; {@code echoed} gets the echo at close. */
    static ChatConnection converse(int port, ChatOptions options, byte[] message, CompletableFuture<byte[]> echoed)
            throws IOException {
        return ChatClient.connect("127.0.0.1", port, options,
                channel -> new EchoClient(channel, message, options.outBufferSize(), echoed));
    }

    @Override
    public void collectIncomingData(byte[] data) {
        received.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        throw new AssertionError("no terminator was set, yet foundTerminator was called");
    }

    @Override
    public void closed() {
        echoed.complete(received.toByteArray());
    }
}
