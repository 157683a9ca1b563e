package io.loomchat.server.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain blocking client for the fault suite: every read has a timeout. */
final class Peer implements Closeable {
    static final int READ_TIMEOUT_MILLIS = 5_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Peer(int port) throws IOException {
        this(port, 0);
    }

    /** Connects with a receive buffer of {@code receiveBuffer} bytes (0: the default), set before connecting. */
    Peer(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Peer send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    Peer send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one line, without its "\n"; fails on timeout or end of stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) throw new IOException("end of stream after \"" + line + "\"");
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Sends an ECHO and checks its answer: the peer is served. */
    void assertServed(String word) throws IOException {
        send("ECHO " + word + "\n");
        String reply = readLine();
        if (!reply.equals(word)) throw new AssertionError("expected \"" + word + "\", got \"" + reply + "\"");
    }

    /**
     * Reads until the server closes (end of stream or reset), returning the bytes read; fails if it stays open
     * for the read timeout.
     */
    byte[] readToClose() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) all.write(buffer, 0, n);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close within " + READ_TIMEOUT_MILLIS + " ms", e);
        } catch (IOException reset) {
            // A reset is a close too.
        }
        return all.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
