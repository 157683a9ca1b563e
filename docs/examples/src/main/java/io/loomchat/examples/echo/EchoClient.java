package io.loomchat.examples.echo;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Producers;
import io.loomchat.server.ChatClient;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one message to an {@link EchoServer} and collects the echo: the asynchat echo client of PyMOTW.
 *
 * <p>The session pushes the {@code ECHO <n>} line, queues the message behind it with a producer, and sets a
 * count terminator of {@code n} bytes for the reply.
 *
 * {@snippet :
 * byte[] echoed = EchoClient.echo("localhost", 7001, "hello".getBytes(), Duration.ofSeconds(5));
 * }
 */
public final class EchoClient implements ChatSession {
    private final ChatChannel channel;
    private final int expected;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> echoed;

    private EchoClient(ChatChannel channel, byte[] message, CompletableFuture<byte[]> echoed) {
        this.channel = channel;
        this.expected = message.length;
        this.echoed = echoed;
        channel.push("ECHO " + message.length + "\n");
        channel.pushWithProducer(Producers.simple(message));
        channel.setTerminator(message.length);
    }

    /**
     * Connects to {@code host:port}, sends {@code message} and returns what the server echoed.
     *
     * @throws IOException if the connection fails or closes before the whole echo arrived
     * @throws TimeoutException if the echo did not arrive within {@code timeout}
     * @throws InterruptedException if the calling thread was interrupted while waiting
     */
    public static byte[] echo(String host, int port, byte[] message, Duration timeout)
            throws IOException, TimeoutException, InterruptedException {
        CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        ChatConnection connection = ChatClient.connect(host, port,
                channel -> new EchoClient(channel, message.clone(), echoed));
        try {
            return echoed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            connection.close();
        }
    }

    @Override
    public void collectIncomingData(byte[] data) {
        received.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        echoed.complete(received.toByteArray());
        channel.close();
    }

    @Override
    public void closed() {
        if (expected == 0) echoed.complete(new byte[0]); // count 0 is "no terminator": the close ends it
        echoed.completeExceptionally(new EOFException(
                "the server closed after " + received.size() + " of " + expected + " bytes"));
    }

    /**
     * Sends {@code args[2]} to the echo server at {@code args[0]:args[1]} and prints the echo.
     *
     * @throws Exception if the echo fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EchoClient HOST PORT MESSAGE");
            System.exit(2);
        }
        byte[] message = args[2].getBytes(StandardCharsets.UTF_8);
        byte[] echoed = echo(args[0], Integer.parseInt(args[1]), message, Duration.ofSeconds(10));
        System.out.println(new String(echoed, StandardCharsets.UTF_8));
    }
}
