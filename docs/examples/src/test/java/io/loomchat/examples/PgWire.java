package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** PostgreSQL's frontend messages as a test client writes them by hand, and backend messages read off a Peer. */
final class PgWire {
    private PgWire() {
    }

    /** Returns an SSLRequest: length 8, code 1234.5679. */
    static byte[] sslRequest() {
        return ByteBuffer.allocate(8).putInt(8).putInt(1234 << 16 | 5679).array();
    }

    /** Returns a CancelRequest for {@code processId} and {@code secret}. */
    static byte[] cancelRequest(int processId, int secret) {
        return ByteBuffer.allocate(16).putInt(16).putInt(1234 << 16 | 5678).putInt(processId).putInt(secret).array();
    }

    /** Returns a protocol 3.0 StartupMessage with the user {@code user}. */
    static byte[] startup(String user) {
        byte[] parameters = ("user\0" + user + "\0database\0demo\0\0").getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + parameters.length).putInt(8 + parameters.length).putInt(3 << 16)
                .put(parameters).array();
    }

    /** Returns a Query message: {@code Q}, the length, the SQL and a zero byte. */
    static byte[] query(String sql) {
        return message('Q', (sql + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** Returns a message of {@code type} with {@code body}. */
    static byte[] message(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    /** Returns the bytes of every argument, one after the other. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }

    /** Reads one backend message and returns its type and body, escaped: {@code C"SELECT 1\x00"}. */
    static String next(Peer peer) throws IOException {
        char type = (char) peer.readExactly(1)[0];
        int length = ByteBuffer.wrap(peer.readExactly(4)).getInt();
        return type + Escape.escape(peer.readExactly(length - 4));
    }

    /** Reads backend messages up to and including ReadyForQuery; returns them, one a line. */
    static String untilReady(Peer peer) throws IOException {
        StringBuilder messages = new StringBuilder();
        String message;
        do {
            message = next(peer);
            messages.append(message).append('\n');
        } while (message.charAt(0) != 'Z');
        return messages.toString();
    }

    /** Sends the startup packet and reads the greeting, checking that it ends ready for queries. */
    static void logIn(Peer peer) throws IOException {
        peer.send(startup("tester"));
        String greeting = untilReady(peer);
        assertEquals("R\\x00\\x00\\x00\\x00", greeting.substring(0, greeting.indexOf('\n')), greeting);
        assertEquals("ZI\n", greeting.substring(greeting.lastIndexOf('\n', greeting.length() - 2) + 1), greeting);
    }
}
