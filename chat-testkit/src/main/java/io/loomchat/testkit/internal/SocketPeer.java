package io.loomchat.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** A peer over TCP: TCP_NODELAY, so each send leaves as its own segment, and reads bounded by SO_TIMEOUT. */
public final class SocketPeer implements Peer {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String description;

    private SocketPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.description = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    }

    /**
     * Connects to {@code host:port} within {@code timeout}.
     *
     * @throws IOException if the connection cannot be made
     */
    public static SocketPeer connect(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            socket.setTcpNoDelay(true);
            return new SocketPeer(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void send(byte[] data) throws IOException {
        out.write(data);
        out.flush();
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public int receive(byte[] buffer, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) return 0;
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
        try {
            return in.read(buffer);
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a test's socket can only fail if it is already broken; nothing is lost.
        }
    }
}
