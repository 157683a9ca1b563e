package io.loomchat.server;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.internal.AcceptLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A TCP server that runs a new {@link io.loomchat.core.ChatSession} for every connection, each on its own
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
 * <p>Options go through {@link #builder()}. Closing the server stops accepting, closes every connection
 * (each session is told through {@code closed()}), and returns when their threads have ended.
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
     * @throws IOException if the port cannot be bound
     * @throws IllegalArgumentException if {@code port} is not in 0..65535
     */
    public static ChatServer listen(int port, SessionFactory factory) throws IOException {
        return builder().port(port).listen(factory);
    }

    /** Returns a builder for a server with options other than the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the port the server listens on; useful after listening on port 0. */
    public int port() {
        return loop.address().getPort();
    }

    /** Returns the address and port the server listens on. */
    public InetSocketAddress address() {
        return loop.address();
    }

    /** Returns the number of connections open now. */
    public int connectionCount() {
        return loop.connectionCount();
    }

    /** Blocks until the server has been closed (by another thread, or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        loop.awaitClosed();
    }

    /**
     * Stops accepting, closes every connection, and returns when every connection thread has ended.
     * Does nothing if already closed.
     */
    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return "ChatServer[" + loop.address() + "]";
    }

    /** Options of a {@link ChatServer}; {@link #listen(SessionFactory)} starts it. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port;
        private int backlog = 1024;
        private ChatOptions options = ChatOptions.defaults();

        private Builder() {
        }

        /** Sets the local address to listen on; default: every local address. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the port; default 0, a free port.
         *
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
         * @throws IllegalArgumentException if {@code backlog} is less than 1
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) throw new IllegalArgumentException("backlog < 1: " + backlog);
            this.backlog = backlog;
            return this;
        }

        /** Sets the buffer sizes and limits of every connection; default {@link ChatOptions#defaults()}. */
        public Builder options(ChatOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Binds and starts accepting; each connection's session comes from {@code factory}.
         *
         * @throws IOException if the address cannot be bound
         */
        public ChatServer listen(SessionFactory factory) throws IOException {
            Objects.requireNonNull(factory, "factory");
            InetSocketAddress address = bindAddress == null
                    ? new InetSocketAddress(port) : new InetSocketAddress(bindAddress, port);
            return new ChatServer(AcceptLoop.start(address, backlog, options, factory));
        }
    }
}
