package io.loomchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.internal.AcceptLoop;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ChatServer's PROXY protocol over plain sockets: what a session sees, and every way a header is refused. */
@Timeout(30)
class ProxyProtocolTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private final AtomicInteger sessions = new AtomicInteger();
    private final SessionFactory factory = channel -> {
        sessions.incrementAndGet();
        return new Identify(channel);
    };
    private ChatServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private void start(ProxyProtocol protocol) throws IOException {
        start(protocol, ChatOptions.defaults());
    }

    private void start(ProxyProtocol protocol, ChatOptions options) throws IOException {
        server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).options(options)
                .proxyProtocol(protocol).listen(factory);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] v2Ipv4(int command) {
        return ByteBuffer.allocate(28).put(SIGNATURE).put((byte) (0x20 | command)).put((byte) 0x11)
                .putShort((short) 12).put(new byte[] {(byte) 192, 0, 2, 7, (byte) 198, 51, 100, 1})
                .putShort((short) 56324).putShort((short) 443).array();
    }

    /** Sends {@code bytes}, expects the server to close without a word, and returns the log lines meanwhile. */
    private String refused(byte[] bytes) throws Exception {
        try (CapturedLog log = CapturedLog.of(AcceptLoop.class); Socket socket = connect()) {
            socket.getOutputStream().write(bytes);
            assertTrue(closedByServer(socket), "the server closes without a session");
            await().atMost(TIMEOUT).until(() -> log.messages().stream().anyMatch(m -> m.contains("without a session")));
            assertEquals(0, sessions.get());
            return String.join("\n", log.messages());
        }
    }

    /** Whether the server closed: end of stream, or a reset when it closed with our bytes unread. */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketException reset) {
            return reset.getMessage().contains("reset");
        }
    }

    private void assertServesAHeader() throws IOException {
        int before = sessions.get();
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("PROXY TCP4 203.0.113.5 198.51.100.1 4000 7000\r\n"));
            assertEquals("you are /203.0.113.5:4000 to /198.51.100.1:7000", reader(socket).readLine());
        }
        assertEquals(before + 1, sessions.get());
    }

    @Test
    void version1GivesTheSessionTheClientsAddressAndTheBytesAfterIt() throws Exception {
        start(ProxyProtocol.required());
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\nhello\nPROXY x\n"));
            BufferedReader in = reader(socket);
            assertEquals("you are /192.0.2.7:56324 to /198.51.100.1:443", in.readLine());
            assertEquals("echo hello", in.readLine());
            assertEquals("echo PROXY x", in.readLine());
        }
    }

    @Test
    void version2TrickledAByteAtATime() throws Exception {
        start(ProxyProtocol.required());
        try (Socket socket = connect()) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            byte[] header = v2Ipv4(1);
            for (byte b : header) {
                out.write(b);
                out.flush();
            }
            out.write(ascii("hi\n"));
            BufferedReader in = reader(socket);
            assertEquals("you are /192.0.2.7:56324 to /198.51.100.1:443", in.readLine());
            assertEquals("echo hi", in.readLine());
        }
    }

    @Test
    void version2LocalKeepsTheBalancersOwnAddress() throws Exception {
        start(ProxyProtocol.required());
        try (Socket socket = connect()) {
            socket.getOutputStream().write(v2Ipv4(0));
            assertEquals("you are " + socket.getLocalSocketAddress() + " to null", reader(socket).readLine());
        }
    }

    @Test
    void requiredClosesAConnectionWithoutAHeader() throws Exception {
        start(ProxyProtocol.required());
        String log = refused(ascii("GET / HTTP/1.0\r\n\r\n"));
        assertTrue(log.contains("no PROXY protocol header, starting 0x47 0x45 0x54"), log);
        assertServesAHeader();
    }

    @Test
    void malformedAndOversizedHeadersAreClosed() throws Exception {
        start(ProxyProtocol.required());
        String log = refused(ascii("PROXY TCP4 192.0.2.777 198.51.100.1 1 2\r\n"));
        assertTrue(log.contains("malformed PROXY protocol header: version 1 header: not an IPv4 address"), log);
        log = refused(ascii("PROXY UNKNOWN " + "x".repeat(300)));
        assertTrue(log.contains("no CRLF within 107 bytes"), log);
        byte[] oversized = v2Ipv4(1);
        oversized[14] = (byte) 0xFF;
        oversized[15] = (byte) 0xFF;
        log = refused(oversized);
        assertTrue(log.contains("version 2 header: 65551 bytes, over 4096"), log);
        assertServesAHeader();
    }

    @Test
    void aHeaderThatTricklesPastTheHandshakeTimeoutIsClosed() throws Exception {
        start(ProxyProtocol.required(), ChatOptions.defaults().withHandshakeTimeout(Duration.ofMillis(300)));
        try (CapturedLog log = CapturedLog.of(AcceptLoop.class); Socket socket = connect()) {
            long started = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write(ascii("PROXY TCP4"));
            // A byte every 100 ms would keep a per-read timeout alive forever; the deadline covers the header.
            socket.setSoTimeout(100);
            boolean closed = false;
            for (int sent = 0; sent < 50 && !closed; sent++) {
                try {
                    out.write(' ');
                    closed = socket.getInputStream().read() == -1;  // waits 100 ms for the close
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // the next byte
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertTrue(closed, "still open after 5 s of trickling");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(3)) < 0);
            await().atMost(TIMEOUT).until(() -> log.messages().toString()
                    .contains("no complete PROXY protocol header within 300 ms"));
        }
        assertEquals(0, sessions.get());
    }

    @Test
    void requiredClosesAnUntrustedSource() throws Exception {
        start(ProxyProtocol.required().trusting("192.0.2.0/24", "2001:db8::/32"));
        String log = refused(ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n"));
        assertTrue(log.contains("not a trusted PROXY protocol source (trusted: [192.0.2.0/24, 2001:db8:0:0:0:0:0:0/32])"),
                log);
    }

    @Test
    void optionalLetsOtherBytesThroughUntouched() throws Exception {
        start(ProxyProtocol.optional());
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("PROXIMA\nPING\n"));
            BufferedReader in = reader(socket);
            assertEquals("you are " + socket.getLocalSocketAddress() + " to -", in.readLine());
            assertEquals("echo PROXIMA", in.readLine());
            assertEquals("echo PING", in.readLine());
        }
        assertServesAHeader();
    }

    @Test
    void optionalNeverReadsAnUntrustedSourcesBytesAsAHeader() throws Exception {
        start(ProxyProtocol.optional().trusting("192.0.2.1"));
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n"));
            BufferedReader in = reader(socket);
            assertEquals("you are " + socket.getLocalSocketAddress() + " to -", in.readLine());
            assertEquals("echo PROXY TCP4 192.0.2.7 198.51.100.1 56324 443", in.readLine());  // CR LF ends it
        }
    }

    @Test
    void closingTheServerClosesConnectionsWaitingForTheirHeader() throws Exception {
        start(ProxyProtocol.required());
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("PROXY TCP4 "));
            await().atMost(TIMEOUT).until(() -> server.connectionCount() == 1);
            server.close();
            assertEquals(-1, socket.getInputStream().read());
        }
        assertEquals(0, sessions.get());
    }

    @Test
    void notWithTlsNorAUnixSocket() throws Exception {
        ChatServer.Builder tls = ChatServer.builder().proxyProtocol(ProxyProtocol.required())
                .sslContext(javax.net.ssl.SSLContext.getDefault());
        assertThrows(IllegalStateException.class, () -> tls.listen(factory));
        assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.required().trusting("balancer.example"));
    }
}
