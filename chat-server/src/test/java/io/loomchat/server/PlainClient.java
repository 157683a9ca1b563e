package io.loomchat.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A plain blocking TCP client on 127.0.0.1, with no loomchat code: TCP_NODELAY so each write leaves as its own
 * segment, and SO_TIMEOUT so no read blocks longer than {@link #TIMEOUT}.
 */
final class PlainClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    private PlainClient(int port, int receiveBufferSize) throws IOException {
        if (receiveBufferSize > 0) socket.setReceiveBufferSize(receiveBufferSize);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) TIMEOUT.toMillis());
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects to {@code port} on 127.0.0.1. */
    static PlainClient connect(int port) throws IOException {
        return new PlainClient(port, 0);
    }

    /**
     * Connects with a small receive buffer, so that the server's writes fill its send buffer and return partly
     * written.
     */
    static PlainClient connectWithReceiveBuffer(int port, int receiveBufferSize) throws IOException {
        return new PlainClient(port, receiveBufferSize);
    }

    /** Writes each chunk with its own write call. */
    PlainClient send(List<byte[]> chunks) throws IOException {
        for (byte[] chunk : chunks) {
            out.write(chunk);
            out.flush();
        }
        return this;
    }

    PlainClient send(String text) throws IOException {
        return send(List.of(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Half-closes: the server reads end of input, and may still reply. */
    PlainClient shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Reads exactly {@code n} bytes, as text. */
    String read(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /**
     * Reads until the server closes; a reset counts as closing. Each read waits at most {@link #TIMEOUT}, and
     * the whole at most twice that.
     */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + 2 * TIMEOUT.toNanos();
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
                if (System.nanoTime() > deadline) throw new IOException("no end of stream within " + TIMEOUT);
            }
        } catch (SocketException reset) {
            // the server closed with unread input: what it sent before is in `all`
        }
        return all.toByteArray();
    }

    String readTextToEnd() throws IOException {
        return new String(readToEnd(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
