package io.loomchat.server;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import io.loomchat.server.internal.SocketConnections;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

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
    private final ChatOptions options;
    private final SSLContext sslContext;
    private final Duration connectTimeout;

    private ChatClient(Builder builder) {
        this.options = builder.options;
        this.sslContext = builder.sslContext;
        this.connectTimeout = builder.connectTimeout;
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection with the default options. Blocks
     * until connected; the session is created on the connection's own virtual thread.
     *
     * @param host the server's name or address
     * @param port the server's port
     * @param factory creates the session
     * @return the running connection
     * @throws IOException if the connection cannot be made within 10 seconds
     */
    public static ChatConnection connect(String host, int port, SessionFactory factory) throws IOException {
        return builder().build().open(host, port, factory);
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection with these options.
     *
     * @param host the server's name or address
     * @param port the server's port
     * @param options the buffer sizes and limits of the connection
     * @param factory creates the session
     * @return the running connection
     * @throws IOException if the connection cannot be made within 10 seconds
     */
    public static ChatConnection connect(String host, int port, ChatOptions options, SessionFactory factory)
            throws IOException {
        return builder().options(options).build().open(host, port, factory);
    }

    /** {@return a builder for clients with options, TLS or a connect timeout other than the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection. Blocks until connected (and, with
     * TLS, until the handshake is done on the connection thread); the session is created on the connection's
     * own virtual thread.
     *
     * @param host the server's name or address
     * @param port the server's port
     * @param factory creates the session
     * @return the running connection
     * @throws IOException if the connection cannot be made within the connect timeout
     */
    public ChatConnection open(String host, int port, SessionFactory factory) throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(factory, "factory");
        Socket socket = SocketChannel.open().socket();  // a channel's, so plain TCP writes gather (SocketConnections)
        try {
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(connectTimeout.toMillis()));
            Socket layered = sslContext == null ? socket : tls(socket, host, port);
            Connection connection = SocketConnections.create(layered, socket, options, factory);
            connection.start();
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private Socket tls(Socket plain, String host, int port) throws IOException {
        SSLSocket socket = (SSLSocket) sslContext.getSocketFactory().createSocket(plain, host, port, true);
        socket.setUseClientMode(true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");  // check the certificate names this host
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** Options of a {@link ChatClient}. */
    public static final class Builder {
        private ChatOptions options = ChatOptions.defaults();
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Sets the buffer sizes and limits of the connection; default {@link ChatOptions#defaults()}.
         *
         * @param options the options of each connection
         * @return this builder
         */
        public Builder options(ChatOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Connects with TLS from this context; the server's certificate must name the host connected to.
         *
         * @param context the trusted certificates (and a client certificate, if the server asks for one)
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Sets how long to wait for the TCP connection; default 10 seconds.
         *
         * @param timeout how long to wait, more than zero
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive, or over about 24 days
         */
        public Builder connectTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout <= 0: " + timeout);
            }
            if (timeout.toMillis() > Integer.MAX_VALUE) {  // Socket.connect takes int milliseconds
                throw new IllegalArgumentException("connectTimeout > " + Integer.MAX_VALUE + " ms: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** {@return a client with these options, to {@link ChatClient#open} connections with} */
        public ChatClient build() {
            return new ChatClient(this);
        }
    }
}
