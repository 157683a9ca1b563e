package io.loomchat.server;

import io.loomchat.core.ChatConnection;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import io.loomchat.server.internal.SocketConnections;
import io.loomchat.server.internal.TlsLayer;
import io.loomchat.server.internal.UnixConnections;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Connects to a TCP server (or a Unix domain socket) and runs a session on the connection, the client side of asynchat (an
 * {@code async_chat} that called {@code connect}).
 *
 * {@snippet :
 * ChatConnection connection = ChatClient.connect("localhost", 7001, channel -> new EchoClient(channel, message));
 * connection.awaitClosed(Duration.ofSeconds(5));
 * }
 *
 * <p>A connection that cannot be made, or whose TLS handshake fails, is an exception from the call that opens
 * it, naming the host and port: no session is created and the socket is closed.
 */
public final class ChatClient {
    private final ChatOptions options;
    private final SSLContext sslContext;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final SSLParameters sslParameters;
    private final boolean hostnameVerification;

    private ChatClient(Builder builder) {
        this.sslParameters = builder.sslParameters;
        this.hostnameVerification = builder.hostnameVerification;
        this.options = builder.options;
        this.sslContext = builder.sslContext;
        this.connectTimeout = builder.connectTimeout;
        this.handshakeTimeout = builder.handshakeTimeout;
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection with the default options. Blocks
     * until connected; the session is created on the connection's own virtual thread.
     *
     * @param host the server's name or address
     * @param port the server's port
     * @param factory creates the session
     * @return the running connection
     * @throws IOException if the connection cannot be made within 10 seconds; the message names
     *     {@code host:port}
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
     * @throws IOException if the connection cannot be made within 10 seconds; the message names
     *     {@code host:port}
     */
    public static ChatConnection connect(String host, int port, ChatOptions options, SessionFactory factory)
            throws IOException {
        return builder().options(options).build().open(host, port, factory);
    }

    /** {@return a builder for clients with options, TLS or timeouts other than the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code host:port} and starts a session on the connection. Blocks until connected and, with
     * TLS, until the handshake is done, both on the calling thread; the session is created on the connection's
     * own virtual thread. If either step fails, the socket is closed and no session is created.
     *
     * @param host the server's name or address
     * @param port the server's port
     * @param factory creates the session
     * @return the running connection
     * @throws ConnectException if the server refuses the connection
     * @throws SocketTimeoutException if the connection is not made within the connect timeout, or the server
     *     does not answer the TLS handshake within the handshake timeout
     * @throws SSLHandshakeException if the TLS handshake fails, for example on a certificate not trusted or not
     *     naming {@code host}
     * @throws IOException if the connection cannot be made otherwise; every message starts with the step and
     *     {@code host:port} ({@code "connecting to 127.0.0.1:7001: Connection refused"}), the original exception
     *     is the cause
     */
    public ChatConnection open(String host, int port, SessionFactory factory) throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(factory, "factory");
        Socket socket = SocketChannel.open().socket();  // a channel's, so plain TCP writes gather (SocketConnections)
        try {
            connect(socket, host, port);
            TlsLayer layer = new TlsLayer(true, host, port, sslParameters, hostnameVerification);
            Socket layered = sslContext == null ? socket : handshake(layer, socket, host, port);
            Connection connection = SocketConnections.create(layered, socket, layer, options, factory);
            connection.start();
            return connection;
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Connects to a server's Unix domain socket and starts a session on the connection: as
     * {@link #open(String, int, SessionFactory)}, without TLS (a context set on the builder is not used). The
     * session's {@code remoteAddress()} is {@code address}.
     *
     * @param address the server's socket file
     * @param factory creates the session
     * @return the running connection
     * @throws SocketTimeoutException if the server's backlog stays full for the connect timeout
     * @throws IOException if the connection cannot be made (no such file, no server on it); the message starts
     *     with {@code "connecting to PATH: "}, the original exception is the cause
     */
    public ChatConnection open(UnixDomainSocketAddress address, SessionFactory factory) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(factory, "factory");
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            connectUnix(channel, address);
            Connection connection = UnixConnections.create(channel, options, factory);
            connection.start();
            return connection;
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Connects to a server's Unix domain socket with the default options; see
     * {@link #open(UnixDomainSocketAddress, SessionFactory)}.
     *
     * @param address the server's socket file
     * @param factory creates the session
     * @return the running connection
     * @throws IOException if the connection cannot be made within 10 seconds
     */
    public static ChatConnection connect(UnixDomainSocketAddress address, SessionFactory factory)
            throws IOException {
        return builder().build().open(address, factory);
    }

    /** Connects without blocking past the connect timeout: a server whose backlog is full leaves it pending. */
    private void connectUnix(SocketChannel channel, UnixDomainSocketAddress address) throws IOException {
        try {
            channel.configureBlocking(false);
            if (!channel.connect(address)) {
                try (Selector selector = Selector.open()) {
                    channel.register(selector, SelectionKey.OP_CONNECT);
                    if (selector.select(Math.max(1, connectTimeout.toMillis())) == 0) {
                        throw new SocketTimeoutException("not connected within " + connectTimeout.toMillis() + " ms");
                    }
                }
                channel.finishConnect();
            }
            channel.configureBlocking(true);
        } catch (IOException e) {
            throw naming("connecting to " + address + ": " + detail(e), e);
        }
    }

    private void connect(Socket socket, String host, int port) throws IOException {
        try {
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(connectTimeout.toMillis()));
        } catch (IOException e) {
            throw naming("connecting to " + host + ":" + port + ": " + detail(e), e);
        }
    }

    /**
     * Layers TLS on {@code plain} and runs the handshake here, so that {@link #open} throws when it fails; the
     * connection's transport then does not run it again.
     */
    private Socket handshake(TlsLayer layer, Socket plain, String host, int port) throws IOException {
        SSLSocket tls = layer.layer(sslContext, plain);
        String step = "TLS handshake with " + host + ":" + port + ": ";
        try {
            tls.setSoTimeout(Math.toIntExact(handshakeTimeout.toMillis()));
            tls.startHandshake();
            tls.setSoTimeout(0);  // from here the connection's own idle and write timeouts apply
        } catch (SocketTimeoutException e) {
            throw naming(step + "no answer within the handshake timeout of " + handshakeTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw naming(step + detail(e), e);
        }
        return tls;
    }

    /** Returns {@code e} as an exception of its kind (where callers may catch that kind) with this message. */
    private static IOException naming(String message, IOException e) {
        IOException named = switch (e) {
            case ConnectException refused -> new ConnectException(message);
            case SocketTimeoutException timedOut -> new SocketTimeoutException(message);
            case UnknownHostException unknown -> new UnknownHostException(message);
            case SSLHandshakeException failed -> new SSLHandshakeException(message);
            case SSLException failed -> new SSLException(message);
            default -> new IOException(message);
        };
        named.initCause(e);
        return named;
    }

    private static String detail(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }

    /** Options of a {@link ChatClient}. */
    public static final class Builder {
        private ChatOptions options = ChatOptions.defaults();
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private SSLParameters sslParameters;
        private boolean hostnameVerification = true;

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
         * Connects with TLS from this context; the server's certificate must name the host connected to (see
         * {@link #hostnameVerification}). {@link ChatClient#open} returns once the handshake is done, and throws if
         * it fails. Without it, connections start in plain text and a session may switch to TLS with
         * {@link io.loomchat.core.ChatChannel#startTls startTls} (STARTTLS), with a context of its own.
         *
         * @param context the trusted certificates (and a client certificate, if the server asks for one)
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Sets the TLS options of the connections, for {@link #sslContext TLS from the start} and for sessions that
         * call {@link io.loomchat.core.ChatChannel#startTls startTls}: the protocols and cipher suites offered, the
         * server name sent (SNI: {@link SSLParameters#setServerNames}; by default the JDK sends the host given to
         * {@link ChatClient#open} when it is a domain name with a dot, never an IP address or {@code localhost}).
         * What is not set keeps the context's default. The parameters are copied: changing them afterwards changes
         * nothing.
         *
         * @param parameters the TLS options
         * @return this builder
         */
        public Builder sslParameters(SSLParameters parameters) {
            this.sslParameters = TlsLayer.copy(Objects.requireNonNull(parameters, "parameters"));
            return this;
        }

        /**
         * Sets whether the server's certificate must name the host connected to (HTTPS's rules, RFC 2818);
         * default true. Turn it off only for a server known by a certificate that names no host it is reached by
         * (a test's self-signed one, reached by IP): trust alone then decides. An endpoint identification
         * algorithm set in {@link #sslParameters} is kept either way.
         *
         * @param verify whether to check the host name
         * @return this builder
         */
        public Builder hostnameVerification(boolean verify) {
            this.hostnameVerification = verify;
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
            this.connectTimeout = checked("connectTimeout", timeout);
            return this;
        }

        /**
         * Sets how long the TLS handshake waits for the server to answer; default 10 seconds. A server that
         * accepts the connection but does not answer, or stops answering during the handshake, makes
         * {@link ChatClient#open} throw a {@link SocketTimeoutException} after this long. Without
         * {@link #sslContext(SSLContext) TLS} it has no effect.
         *
         * @param timeout how long to wait, more than zero
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive, or over about 24 days
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = checked("handshakeTimeout", timeout);
            return this;
        }

        private static Duration checked(String name, Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(name + " <= 0: " + timeout);
            }
            if (timeout.toMillis() > Integer.MAX_VALUE) {  // Socket.connect and setSoTimeout take int milliseconds
                throw new IllegalArgumentException(name + " > " + Integer.MAX_VALUE + " ms: " + timeout);
            }
            return timeout;
        }

        /** {@return a client with these options, to {@link ChatClient#open} connections with} */
        public ChatClient build() {
            return new ChatClient(this);
        }
    }
}
