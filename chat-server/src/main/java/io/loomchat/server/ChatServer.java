package io.loomchat.server;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.CloseReason;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.internal.AcceptLoop;
import io.loomchat.server.internal.ServerConfig;
import io.loomchat.server.internal.TlsLayer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A TCP server (or one on a Unix domain socket) that runs a new {@link io.loomchat.core.ChatSession} for every connection, each on its own
 * virtual thread. This is asyncore's listening {@code dispatcher} with its {@code handle_accepted}, and
 * {@code asyncore.loop()}, in one object.
 *
 * {@snippet :
 * try (ChatServer server = ChatServer.listen(7000, channel -> new Echo(channel))) {
 *     System.out.println("listening on " + server.port());
 *     server.awaitClose();
 * }
 * }
 *
 * <p>Options go through {@link #builder()}; with none, the limits of {@link ChatOptions#defaults()} and at most
 * 10,000 connections apply. Behind a balancer, {@link Builder#proxyProtocol} gives sessions the clients'
 * addresses; {@link Builder#unixSocket} listens on a socket file instead of a port. Closing the server stops accepting, lets every connection write its queued output
 * (up to the drain timeout), and returns when their threads have ended.
 */
public final class ChatServer implements AutoCloseable {
    private final AcceptLoop loop;

    private ChatServer(AcceptLoop loop) {
        this.loop = loop;
    }

    /**
     * Starts a server on {@code port} of every local address, with the default options. Port 0 picks a free
     * port; {@link #port()} tells which.
     *
     * @param port the TCP port, or 0 for a free one
     * @param factory creates each connection's session, on that connection's own virtual thread
     * @return the running server
     * @throws IOException if the port cannot be bound
     * @throws IllegalArgumentException if {@code port} is not in 0..65535
     */
    public static ChatServer listen(int port, SessionFactory factory) throws IOException {
        return builder().port(port).listen(factory);
    }

    /** {@return a builder for a server with options other than the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return the port the server listens on} Useful after listening on port 0.
     *
     * @throws IllegalStateException if the server listens on a Unix domain socket
     */
    public int port() {
        return address().getPort();
    }

    /**
     * {@return the address and port the server listens on}
     *
     * @throws IllegalStateException if the server listens on a Unix domain socket ({@link #localAddress()} has it)
     */
    public InetSocketAddress address() {
        if (loop.address() instanceof InetSocketAddress inet) return inet;
        throw new IllegalStateException("listening on a Unix domain socket, " + loop.address() + ", not a port");
    }

    /** {@return the address the server listens on: an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress}} */
    public SocketAddress localAddress() {
        return loop.address();
    }

    /** {@return the number of connections open now} */
    public int connectionCount() {
        return loop.connectionCount();
    }

    /** {@return a snapshot of the server's counters} */
    public Stats stats() {
        return loop.stats();
    }

    /**
     * Blocks until the server has been closed (by another thread, or a shutdown hook).
     *
     * @throws InterruptedException if the waiting thread was interrupted
     */
    public void awaitClose() throws InterruptedException {
        loop.awaitClosed();
    }

    /**
     * Stops accepting and closes gracefully: each connection stops reading, its session hears
     * {@link io.loomchat.core.ChatSession#serverClosing}, its queued output is written, and it closes. Those
     * still open when the drain timeout has passed since this call are closed at once, and their connection
     * threads interrupted, so a session blocked in a callback is woken. Returns when every connection has ended,
     * and at most a second after the drain timeout: a session that ignores the interrupt is logged at WARN with
     * where its thread is, and no longer counted as open. If another thread is already closing the server,
     * waits for it.
     */
    @Override
    public void close() {
        loop.close();
    }

    /**
     * Closes gracefully, as {@link #close()} does, and returns what happened: how many connections were open,
     * how many drained their output in time and how many were closed at the drain timeout, the queued output
     * those dropped, the sessions that did not return from a callback even then, and how long it all took. If
     * another thread is already closing the server, waits for it and returns its report.
     *
     * {@snippet :
     * Runtime.getRuntime().addShutdownHook(new Thread(() -> log.info("{}", server.shutdown())));
     * }
     *
     * @return what the close did
     */
    public ShutdownReport shutdown() {
        return loop.close();
    }

    @Override
    public String toString() {
        return "ChatServer[" + loop.address() + "]";
    }

    /**
     * A server's counters at one moment.
     *
     * @param open connections open now
     * @param accepted connections accepted since the start, refused ones included
     * @param refused connections closed at once because {@code maxConnections} were open
     * @param closedByReason connections ended, by reason; every {@link CloseReason} is a key, 0 if none ended so
     * @param bytesIn bytes read from peers
     * @param bytesOut bytes written to peers
     * @param messages terminators found: messages received
     * @param outputQueued bytes of output queued now on the open connections, not yet written
     * @param pushesWaited pushes that waited for a connection's output queue to drain below its high watermark
     *        (a peer reading slower than the session writes)
     */
    public record Stats(int open, long accepted, long refused, Map<CloseReason, Long> closedByReason, long bytesIn,
                        long bytesOut, long messages, long outputQueued, long pushesWaited) {
        /** Copies the map. */
        public Stats {
            closedByReason = Collections.unmodifiableMap(new EnumMap<>(closedByReason));
        }
    }

    /**
     * What a graceful close did, from {@link #shutdown()}.
     *
     * @param connections connections open when the close began (accepted ones, not yet ended)
     * @param drained connections that wrote their queued output and ended within the drain timeout
     * @param aborted connections still open at the drain timeout, closed then with their output dropped and their
     *        thread interrupted
     * @param outputDropped bytes of queued output the aborted connections had not written
     * @param stuckInCallback aborted connections whose session still had not returned from a callback a second
     *        later (each logged at WARN with where its thread was), no longer waited for
     * @param took how long the close took, from the call to its return
     */
    public record ShutdownReport(int connections, int drained, int aborted, long outputDropped,
                                 int stuckInCallback, Duration took) {
        /** {@return whether every connection drained its output in time} */
        public boolean drainedInTime() {
            return aborted == 0;
        }

        /** {@return the report in one line, for a log} */
        @Override
        public String toString() {
            return connections + " open: " + drained + " drained in time, " + aborted
                    + " aborted at the drain timeout (" + outputDropped + " bytes of output dropped), "
                    + stuckInCallback + " stuck in a callback; took " + took.toMillis() + " ms";
        }
    }

    /** Options of a {@link ChatServer}; {@link #listen(SessionFactory)} starts it. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port;
        private int backlog = 1024;
        private ChatOptions options = ChatOptions.defaults();
        private int maxConnections = 10_000;
        private byte[] refusal = new byte[0];
        private Duration drainTimeout = Duration.ofSeconds(5);
        private SSLContext sslContext;
        private SSLParameters sslParameters;
        private ProxyProtocol proxyProtocol;
        private Path unixSocket;

        private Builder() {
        }

        /**
         * Sets the local address to listen on; default: every local address.
         *
         * @param address a local address, such as {@code InetAddress.getLoopbackAddress()}
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the port; default 0, a free port.
         *
         * @param port the TCP port, or 0 for a free one
         * @return this builder
         * @throws IllegalArgumentException if {@code port} is not in 0..65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
            this.port = port;
            return this;
        }

        /**
         * Sets the listen backlog: connections the kernel queues before they are accepted; default 1024.
         *
         * @param backlog the queue length, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code backlog} is less than 1
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) throw new IllegalArgumentException("backlog < 1: " + backlog);
            this.backlog = backlog;
            return this;
        }

        /**
         * Sets the buffer sizes and limits of every connection; default {@link ChatOptions#defaults()}.
         *
         * @param options the options of each connection
         * @return this builder
         */
        public Builder options(ChatOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Sets the most connections open at once; default 10,000. A connection over it is accepted, sent the
         * refusal message (if any), and closed at once; it is counted in {@link Stats#refused()} and logged.
         *
         * @param max the most connections, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is less than 1
         */
        public Builder maxConnections(int max) {
            if (max < 1) throw new IllegalArgumentException("maxConnections < 1: " + max);
            this.maxConnections = max;
            return this;
        }

        /**
         * Sets what a refused connection is sent before it is closed (UTF-8), such as {@code "-ERR busy\r\n"}.
         *
         * @param message the text sent to each refused connection
         * @return this builder
         */
        public Builder refusalMessage(String message) {
            this.refusal = Objects.requireNonNull(message, "message").getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * Sets how long {@link ChatServer#close()} lets connections write their queued output before closing
         * them at once; default 5 seconds.
         *
         * @param timeout how long to wait for the connections, or zero to close them at once
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is negative or over 100 days
         */
        public Builder drainTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
                throw new IllegalArgumentException("drainTimeout < 0: " + timeout);
            }
            if (timeout.compareTo(Duration.ofDays(100)) > 0) {
                throw new IllegalArgumentException("drainTimeout > 100 days: " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * Serves TLS: every connection is an {@code SSLSocket} from this context, its handshake done on the
         * connection's own thread (10 seconds at most) before the session is created. Sessions run unchanged.
         * Without it, connections start in plain text and a session may switch to TLS with
         * {@link io.loomchat.core.ChatChannel#startTls startTls} (STARTTLS), with a context of its own.
         *
         * @param context the server's certificate and keys
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Sets the TLS options of every connection, for {@link #sslContext TLS from the start} and for sessions that
         * call {@link io.loomchat.core.ChatChannel#startTls startTls}: client authentication
         * ({@link SSLParameters#setNeedClientAuth need}: a client without a trusted certificate fails the
         * handshake; {@link SSLParameters#setWantClientAuth want}: asked for, not required), the protocols and
         * cipher suites allowed, SNI matchers. What is not set keeps the context's default. The parameters are
         * copied: changing them afterwards changes nothing.
         *
         * {@snippet :
         * SSLParameters tls = new SSLParameters();
         * tls.setProtocols(new String[] {"TLSv1.3"});
         * tls.setNeedClientAuth(true);  // the context's trust manager decides which certificates are trusted
         * ChatServer server = ChatServer.builder().sslContext(context).sslParameters(tls).listen(factory);
         * }
         *
         * @param parameters the TLS options
         * @return this builder
         */
        public Builder sslParameters(SSLParameters parameters) {
            this.sslParameters = TlsLayer.copy(Objects.requireNonNull(parameters, "parameters"));
            return this;
        }

        /**
         * Takes HAProxy's PROXY protocol (version 1 or 2) from the balancer in front: each connection's session
         * sees the client's address as {@code remoteAddress()}, and the whole header through
         * {@link ProxyHeader#of}. {@link ProxyProtocol#required()} closes every connection without a valid header
         * from a trusted source, and logs why; {@link ProxyProtocol#optional()} also serves connections without
         * one. Default: none, every connection's bytes are its protocol's. Plain TCP only: not with
         * {@link #sslContext} nor {@link #unixSocket}.
         *
         * @param protocol required or optional, and the networks trusted to send headers
         * @return this builder
         */
        public Builder proxyProtocol(ProxyProtocol protocol) {
            this.proxyProtocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /**
         * Listens on a Unix domain socket at {@code path} instead of a TCP port; the address and port set here
         * are then unused. The file must not exist (binding fails if it does); closing the server removes it.
         * Sessions, limits and timeouts work as on TCP; a session's {@code remoteAddress()} is the client's
         * {@link UnixDomainSocketAddress}, an empty path unless the client bound one.
         *
         * @param path where the socket file is made
         * @return this builder
         */
        public Builder unixSocket(Path path) {
            this.unixSocket = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * Binds and starts accepting; each connection's session comes from {@code factory}.
         *
         * @param factory creates each connection's session, on that connection's own virtual thread
         * @return the running server
         * @throws IOException if the address cannot be bound
         * @throws IllegalStateException if the PROXY protocol is combined with TLS or a Unix domain socket
         */
        public ChatServer listen(SessionFactory factory) throws IOException {
            Objects.requireNonNull(factory, "factory");
            if (proxyProtocol != null && (sslContext != null || unixSocket != null)) {
                throw new IllegalStateException("the PROXY protocol works on plain TCP only, not with "
                        + (sslContext != null ? "TLS" : "a Unix domain socket"));
            }
            SocketAddress address = unixSocket != null ? UnixDomainSocketAddress.of(unixSocket)
                    : bindAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(bindAddress, port);
            return new ChatServer(AcceptLoop.start(new ServerConfig(address, backlog, options, maxConnections,
                    refusal, drainTimeout, sslContext, sslParameters, proxyProtocol, factory)));
        }
    }
}
