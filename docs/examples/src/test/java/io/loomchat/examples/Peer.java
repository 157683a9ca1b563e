package io.loomchat.examples;

import static io.loomchat.examples.Escape.escape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomchat.core.SessionFactory;
import io.loomchat.server.ChatServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain-socket client for tests: writes bytes, reads lines or counts, each read bounded by a timeout. What
 * arrived so far is kept, so a failure can show it.
 */
final class Peer implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private Peer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** Starts a server for a test on a free port of 127.0.0.1. */
    static ChatServer server(SessionFactory factory) throws IOException {
        return ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0).listen(factory);
    }

    /** Connects to {@code 127.0.0.1:port}. */
    static Peer connect(int port) throws IOException {
        return connect(null, InetAddress.getLoopbackAddress(), port);
    }

    /** Connects to {@code address:port} from the local address {@code from} (null: any). */
    static Peer connect(InetAddress from, InetAddress address, int port) throws IOException {
        Socket socket = new Socket();
        try {
            if (from != null) socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(address, port), READ_TIMEOUT_MILLIS);
            return new Peer(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Returns a peer on a socket that the caller set up and connected. */
    static Peer on(Socket socket) throws IOException {
        return new Peer(socket);
    }

    /** {@return the socket, to layer TLS on after a STARTTLS (nothing read ahead: the server waits)} */
    Socket socket() {
        return socket;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    /** Reads one line, with its {@code \n} (and {@code \r}, if any), decoded as Latin-1. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        do {
            b = read();
            if (b < 0) fail("closed in the middle of a line; line so far: \"" + escape(line.toByteArray()) + "\"");
            line.write(b);
        } while (b != '\n');
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a line and checks it, escaped, against {@code expected}. */
    void expectLine(String expected) throws IOException {
        assertEquals(escape(expected), escape(readLine()), "line from the server");
    }

    /** Reads exactly {@code n} bytes. */
    byte[] readExactly(int n) throws IOException {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            int b = read();
            if (b < 0) fail("closed after " + i + " of " + n + " bytes");
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    /** Reads until the server closes, and returns what came. */
    byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (int b = read(); b >= 0; b = read()) rest.write(b);
        return rest.toByteArray();
    }

    /** Checks that the server closes with nothing more to say. */
    void expectClosed() throws IOException {
        assertEquals("", escape(readUntilClosed()), "bytes before the server closed");
    }

    private int read() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) received.write(b);
            return b;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing from the server within " + READ_TIMEOUT_MILLIS
                    + " ms; received so far: \""
                    + escape(received.toByteArray()) + "\"", e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
