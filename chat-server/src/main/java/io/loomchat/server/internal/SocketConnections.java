package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.internal.Connection;
import java.io.IOException;
import java.net.Socket;

/** Runs a {@link Connection} over a connected socket. */
public final class SocketConnections {
    private SocketConnections() {
    }

    /**
     * Returns a connection on {@code socket}, not yet started: TCP_NODELAY on (the pump batches writes
     * itself), and the socket as the transport that closing the connection closes.
     */
    public static Connection create(Socket socket, ChatOptions options, SessionFactory factory)
            throws IOException {
        socket.setTcpNoDelay(true);
        return new Connection(socket.getInputStream(), socket.getOutputStream(), socket,
                socket.getRemoteSocketAddress(), options, factory);
    }
}
