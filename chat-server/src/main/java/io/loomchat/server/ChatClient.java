package io.loomchat.server;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import io.loomchat.server.internal.SocketConnections;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;

/**
 * Connects to a TCP server and runs a session on the connection, the client side of asynchat (an
 * {@code async_chat} that called {@code connect}).
 *
 * {@snippet :
 * ChatConnection connection = ChatClient.connect("localhost", 7001, channel -> new EchoClient(channel, message));
 * connection.awaitClosed(Duration.ofSeconds(5));
 * }
 */
public final class ChatClient {
    /** How long {@link #connect} waits for the TCP handshake. */
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private ChatClient() {
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection with the default options. Blocks
     * until connected; the session is created on the connection's own virtual thread.
     *
     * @throws IOException if the connection cannot be made within 10 seconds
     */
    public static ChatConnection connect(String host, int port, SessionFactory factory) throws IOException {
        return connect(host, port, ChatOptions.defaults(), factory);
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection. Blocks until connected; the
     * session is created on the connection's own virtual thread.
     *
     * @throws IOException if the connection cannot be made within 10 seconds
     */
    public static ChatConnection connect(String host, int port, ChatOptions options, SessionFactory factory)
            throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(factory, "factory");
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            Connection connection = SocketConnections.create(socket, options, factory);
            connection.start();
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
