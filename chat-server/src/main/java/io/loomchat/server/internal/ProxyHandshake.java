package io.loomchat.server.internal;

import io.loomchat.server.ProxyHeader;
import io.loomchat.server.ProxyProtocol;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Reads a connection's PROXY protocol header, before its session exists, within a deadline that covers the
 * whole header however it trickles in. Reads in chunks; what follows the header (or, in optional mode, the
 * first bytes that are not a header) is kept for the session.
 */
final class ProxyHandshake {
    private ProxyHandshake() {
    }

    /**
     * A connection after its header.
     *
     * @param header the header, or null if there was none (optional mode, or an untrusted peer)
     * @param leftover bytes read after the header, the session's
     */
    record Outcome(ProxyHeader header, byte[] leftover) {
    }

    /** The connection is to be closed, for the reason in the message; no session is created. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The peer closed before sending a byte: the connection ends quietly, without a session. */
    static final class ClosedEarly extends IOException {
        ClosedEarly() {
            super("closed by the peer before sending anything", null);
        }
    }

    /**
     * Reads the header of {@code socket}, if any, as {@code protocol} says.
     *
     * @param socket an accepted plain TCP socket
     * @param protocol required or optional, and the trusted networks
     * @param timeout how long the whole header may take
     * @return the header and the bytes read after it
     * @throws Refused if the connection is to be closed: untrusted in required mode, no header, a malformed
     *     one, a time-out
     * @throws IOException if reading fails
     */
    static Outcome read(Socket socket, ProxyProtocol protocol, Duration timeout) throws Refused, IOException {
        boolean required = protocol.mode() == ProxyProtocol.Mode.REQUIRED;
        if (!protocol.trusts(socket.getInetAddress())) {
            if (required) throw new Refused("not a trusted PROXY protocol source (trusted: " + protocol.trusted() + ")");
            return new Outcome(null, new byte[0]);
        }
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[ProxyProtocol.MAX_V2_HEADER];
        int length = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                ProxyHeaderParser.Result result = ProxyHeaderParser.parse(buffer, length);
                switch (result) {
                    case ProxyHeaderParser.Parsed parsed -> {
                        return new Outcome(parsed.header(), Arrays.copyOfRange(buffer, parsed.length(), length));
                    }
                    case ProxyHeaderParser.NotProxy notProxy -> {
                        if (required) throw new Refused("no PROXY protocol header" + starting(buffer, length));
                        return new Outcome(null, Arrays.copyOf(buffer, length));
                    }
                    case ProxyHeaderParser.NeedMore needMore -> {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) throw new SocketTimeoutException();
                        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                        int read = in.read(buffer, length, buffer.length - length);
                        if (read < 0) {
                            // Closed before a word (a port check): nothing to report, and no session to make.
                            if (length == 0) throw new ClosedEarly();
                            throw new EOFException();
                        }
                        length += read;
                    }
                }
            }
        } catch (ProxyHeaderParser.Malformed e) {
            throw new Refused("malformed PROXY protocol header: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            if (!required) return new Outcome(null, Arrays.copyOf(buffer, length));
            throw new Refused("no complete PROXY protocol header within " + timeout.toMillis() + " ms (" + length
                    + " bytes came)");
        } catch (EOFException e) {
            throw new Refused("closed by the peer within the PROXY protocol header (" + length + " bytes came)");
        } finally {
            if (!socket.isClosed()) socket.setSoTimeout(0);
        }
    }

    /** ", starting 0x16 0x03 ...": the first bytes, for the log line. */
    private static String starting(byte[] buffer, int length) {
        StringBuilder text = new StringBuilder(", starting");
        for (int i = 0; i < Math.min(length, 8); i++) text.append(" 0x%02x".formatted(buffer[i] & 0xFF));
        return text.toString();
    }
}
