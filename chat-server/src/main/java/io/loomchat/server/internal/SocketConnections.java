package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Transport;
import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/** Runs a {@link Connection} over a connected socket. */
public final class SocketConnections {
    private SocketConnections() {
    }

    /** A socket as a transport: a graceful shutdown ends its input side, so the reader sees end of input. */
    private record SocketTransport(Socket socket) implements Transport {
        /** How long a TLS peer has to complete its handshake. */
        private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

        @Override
        public void open() throws IOException {
            if (socket instanceof SSLSocket tls) {
                // On the connection thread, so a slow or plain-text peer holds up nobody else.
                tls.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
                tls.startHandshake();
                tls.setSoTimeout(0);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        @Override
        public void shutdownOutput() throws IOException {
            if (socket instanceof SSLSocket) socket.close();
            else socket.shutdownOutput();
        }

        @Override
        public void shutdownInput() throws IOException {
            // SSLSocket cannot half-close: it closes instead, and the drain is skipped.
            if (socket instanceof SSLSocket) socket.close();
            else socket.shutdownInput();
        }
    }

    /**
     * Returns a connection on {@code socket}, not yet started: TCP_NODELAY on (the pump batches writes
     * itself), and the socket as the transport that closing the connection closes.
     *
     * @param socket a connected socket, plain or TLS
     * @param options the buffer sizes and limits of the connection
     * @param factory creates the session
     * @return the connection, to {@link Connection#start() start}
     * @throws IOException if the socket's streams cannot be had (it was closed meanwhile)
     */
    public static Connection create(Socket socket, ChatOptions options, SessionFactory factory)
            throws IOException {
        socket.setTcpNoDelay(true);
        return new Connection(socket.getInputStream(), socket.getOutputStream(), new SocketTransport(socket),
                socket.getRemoteSocketAddress(), options, factory);
    }
}
