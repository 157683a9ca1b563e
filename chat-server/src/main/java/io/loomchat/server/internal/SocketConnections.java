package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.ChannelOutputStream;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Endpoint;
import io.loomchat.core.internal.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Runs a {@link Connection} over a connected socket, plain or TLS. */
public final class SocketConnections {
    private SocketConnections() {
    }

    /**
     * A socket as a transport. {@code raw} is the TCP socket itself; for TLS, {@code socket} is the
     * {@code SSLSocket} layered on it, from the start or from {@link #startTls} on. Closing closes the raw socket
     * first: an {@code SSLSocket.close()} alone would wait to send close_notify behind a write blocked on a peer
     * that does not read. The graceful ends (after the last reply, at shutdown) close the TLS socket, which sends
     * close_notify.
     */
    private static final class SocketTransport implements Transport {
        /** How long a TLS peer has to complete its handshake. */
        private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

        private final Socket raw;
        /** How {@link #startTls} layers TLS, or null where it may not. */
        private final TlsLayer layer;
        /** The socket read and written: {@link #raw}, or TLS on it. Replaced by startTls on the connection thread. */
        private volatile Socket socket;

        SocketTransport(Socket socket, Socket raw, TlsLayer layer) {
            this.socket = socket;
            this.raw = raw;
            this.layer = layer;
        }

        @Override
        public void open() throws IOException {
            // A server's TLS socket only: ChatClient.open handshakes on the caller's thread, so that it can throw,
            // and a second startHandshake() would send a key update (TLS 1.3) or renegotiate (TLS 1.2).
            if (socket instanceof SSLSocket tls && !tls.getUseClientMode()) {
                // On the connection thread, so a slow or plain-text peer holds up nobody else.
                tls.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
                tls.startHandshake();
                tls.setSoTimeout(0);
            }
        }

        @Override
        public String noStartTls() {
            if (socket instanceof SSLSocket) return "the connection is TLS already";
            return layer == null ? "the connection was made without TLS options" : null;
        }

        @Override
        public Streams startTls(SSLContext context) throws IOException {
            String refused = noStartTls();
            if (refused != null) throw new IllegalStateException("startTls(): " + refused);
            SSLSocket tls = layer.layer(context, raw);
            socket = tls;  // closing it from here on sends close_notify
            // The handshake timeout is the connection's (the watchdog closes the raw socket); this one bounds a
            // handshake that the watchdog does not see, as open() does.
            tls.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            tls.startHandshake();
            tls.setSoTimeout(0);
            return new Streams(tls.getInputStream(), tls.getOutputStream());
        }

        @Override
        public void close() throws IOException {
            raw.close();
            Socket socket = this.socket;
            if (socket != raw) {
                try {
                    socket.close();
                } catch (IOException alreadyGone) {
                    // the raw socket is closed: nothing more to tell the peer
                }
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            // SSLSocket cannot half-close: closing it sends close_notify after the last reply.
            Socket socket = this.socket;
            if (socket instanceof SSLSocket) socket.close();
            else socket.shutdownOutput();
        }

        @Override
        public boolean halfCloses() {
            return !(socket instanceof SSLSocket);
        }

        @Override
        public void shutdownInput() throws IOException {
            // SSLSocket cannot half-close, but the TCP socket under it can: a read blocked in the TLS socket then
            // sees end of stream, which after the handshake JSSE takes as the peer's close_notify, and the TLS
            // output still works for the goodbye and the queued replies; close_notify follows them.
            raw.shutdownInput();
        }
    }

    /**
     * Returns a connection on an accepted TCP socket, not yet started: plain, or with TLS from {@code context}
     * layered on it (the handshake then runs on the connection's own thread).
     *
     * @param raw the accepted TCP socket
     * @param context the server's TLS context, or null for plain TCP
     * @param layer the server's TLS options, for {@code context} and for the sessions' {@code startTls}
     * @param options the connection's buffer sizes and limits
     * @param factory makes the connection's session
     * @return the connection, to be started
     * @throws IOException if the socket cannot be set up
     */
    public static Connection accepted(Socket raw, SSLContext context, TlsLayer layer, ChatOptions options,
                                      SessionFactory factory) throws IOException {
        Socket socket = context == null ? raw : layer.layer(context, raw);
        return create(socket, raw, layer, options, factory);
    }

    /**
     * Returns a connection on {@code socket}, layered on the TCP socket {@code raw} (the same for plain TCP), not
     * yet started: TCP_NODELAY on (the pump batches writes itself), and the socket as the transport that closing
     * the connection closes.
     *
     * @param socket the socket the connection reads and writes: {@code raw}, or TLS on it (client mode: with
     *     the handshake done)
     * @param raw the TCP socket underneath, which closing closes at once
     * @param layer how the session's {@code startTls} layers TLS on {@code raw}
     * @param options the connection's buffer sizes and limits
     * @param factory makes the connection's session
     * @return the connection, to be started
     * @throws IOException if the socket cannot be set up
     */
    public static Connection create(Socket socket, Socket raw, TlsLayer layer, ChatOptions options,
                                    SessionFactory factory) throws IOException {
        raw.setTcpNoDelay(true);
        // A plain socket made from a channel writes through the channel, which gathers queued segments into one
        // system call; TLS, and sockets made without a channel, write through their stream.
        OutputStream out = socket == raw && raw.getChannel() != null
                ? new ChannelOutputStream(raw.getChannel())
                : socket.getOutputStream();
        return Connection.create(new Endpoint(socket.getInputStream(), out, new SocketTransport(socket, raw, layer),
                socket.getRemoteSocketAddress()), options, factory);
    }

    /**
     * Returns a connection on a plain TCP socket whose first bytes were read already (a PROXY protocol header and
     * what followed it): the session reads {@code leftover} first, and sees {@code remote} as its peer.
     *
     * @param socket the accepted TCP socket, plain
     * @param leftover bytes read after the header, which the session reads first
     * @param remote the client's address the header gave, or the socket's peer
     * @param layer how the session's {@code startTls} layers TLS on {@code socket}
     * @param options the connection's buffer sizes and limits
     * @param factory makes the connection's session
     * @return the connection, to be started
     * @throws IOException if the socket cannot be set up
     */
    public static Connection create(Socket socket, byte[] leftover, SocketAddress remote, TlsLayer layer,
                                    ChatOptions options, SessionFactory factory) throws IOException {
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getChannel() != null
                ? new ChannelOutputStream(socket.getChannel()) : socket.getOutputStream();
        InputStream in = leftover.length == 0
                ? socket.getInputStream() : new PrefixedInputStream(leftover, socket.getInputStream());
        return Connection.create(new Endpoint(in, out, new SocketTransport(socket, socket, layer), remote),
                options, factory);
    }

    /**
     * Returns {@code socket} as a connection's transport: half-closes for drains, TLS handshake on open.
     *
     * @param socket a connected plain socket, or a TLS socket that closing may wait on
     * @return the transport
     */
    public static Transport transport(Socket socket) {
        return new SocketTransport(socket, socket, null);
    }
}
