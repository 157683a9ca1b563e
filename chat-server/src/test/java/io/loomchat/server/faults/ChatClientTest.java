package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.CloseReason;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatClient;
import io.loomchat.server.ChatServer;
import io.loomchat.server.internal.SocketConnections;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ChatClient's failures: each is thrown from open(), names the address, and leaves no session or socket. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChatClientTest {
    private static final String CONNECTION_LOG = "io.loomchat.core.internal.Connection";

    @TempDir
    static Path dir;
    private static SSLContext context;

    /** Counts the sessions a client would have made; none should be. */
    private final AtomicInteger sessions = new AtomicInteger();
    private final SessionFactory counting = channel -> {
        sessions.incrementAndGet();
        return new FaultProtocol(channel);
    };

    @BeforeAll
    static void makeCertificate() throws Exception {
        context = SelfSignedCertificate.create(dir).context();
    }

    @Test
    void refusedConnectionNamesTheAddress() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        ConnectException e = assertThrows(ConnectException.class,
                () -> ChatClient.connect("127.0.0.1", port, counting));
        assertEquals("connecting to 127.0.0.1:" + port + ": " + e.getCause().getMessage(), e.getMessage());
        assertInstanceOf(ConnectException.class, e.getCause());
        assertEquals(0, sessions.get());
    }

    @Test
    void connectTimeoutNamesTheAddress() throws Exception {
        // A listener whose accept queue is full drops new SYNs (Linux), so connecting waits out its timeout.
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = full.getLocalPort();
            assertTrue(fillAcceptQueue(port, fillers), "the accept queue filled up within 16 connections");
            ChatClient client = ChatClient.builder().connectTimeout(Duration.ofMillis(300)).build();

            SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                    () -> client.open("127.0.0.1", port, counting));
            assertTrue(e.getMessage().startsWith("connecting to 127.0.0.1:" + port + ": "), e.getMessage());
            assertEquals(0, sessions.get());
        } finally {
            for (Socket filler : fillers) filler.close();
        }
    }

    /** Connects to {@code port} until a connection times out; returns whether one did. */
    private static boolean fillAcceptQueue(int port, List<Socket> fillers) throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            fillers.add(socket);
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            } catch (SocketTimeoutException full) {
                return true;
            }
        }
        return false;
    }

    @Test
    void stalledTlsServerFailsOpenWithinTheHandshakeTimeout() throws Exception {
        try (ServerSocket stalled = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = stalled.getLocalPort();
            ChatClient client = ChatClient.builder().sslContext(context).handshakeTimeout(Duration.ofMillis(300))
                    .build();

            long started = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> client.open("127.0.0.1", port, counting));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(e.getMessage().startsWith("TLS handshake with 127.0.0.1:" + port + ": "), e.getMessage());
            assertInstanceOf(SocketTimeoutException.class, e);
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "gave up after the handshake timeout: " + took);
            assertEquals(0, sessions.get());
            // The client closed its socket: the server reads the ClientHello, then end of stream.
            try (Socket accepted = stalled.accept()) {
                accepted.setSoTimeout(5_000);
                assertTrue(accepted.getInputStream().readAllBytes().length > 0, "a ClientHello was sent");
            }
        }
    }

    @Test
    void untrustedCertificateFailsOpenWithAHandshakeException() throws Exception {
        try (CapturedLog log = CapturedLog.of(CONNECTION_LOG);
             ChatServer server = ChatServer.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                     .sslContext(context).listen(FaultProtocol::new)) {
            // The JDK's default trust store does not know the self-signed certificate.
            ChatClient client = ChatClient.builder().sslContext(SSLContext.getDefault()).build();

            SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                    () -> client.open("localhost", server.port(), counting));
            assertEquals("TLS handshake with localhost:" + server.port() + ": " + e.getCause().getMessage(),
                    e.getMessage());
            assertEquals(0, sessions.get());
            // The server's side of the failed handshake ends too, with its one INFO line.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.stats().closedByReason().get(CloseReason.PEER_RESET) == 1);
            assertEquals(1, log.messages().size(), log.messages().toString());
        }
    }

    @Test
    void transportDoesNotHandshakeAClientSocketAgain() throws Exception {
        // ChatClient.open has done the handshake; another would send a key update (TLS 1.3) on the connection
        // thread. Against a server that never answers, a handshake here would block for 10 seconds.
        try (ServerSocket stalled = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", stalled.getLocalPort()), 5_000);
            SSLSocket tls = (SSLSocket) context.getSocketFactory()
                    .createSocket(raw, "127.0.0.1", stalled.getLocalPort(), true);
            tls.setUseClientMode(true);

            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> SocketConnections.transport(tls).open(),
                    "the transport's open() returned without a handshake");
        }
    }

    @Test
    void handshakeTimeoutMustBePositive() {
        ChatClient.Builder builder = ChatClient.builder();
        assertEquals("handshakeTimeout <= 0: PT0S", assertThrows(IllegalArgumentException.class,
                () -> builder.handshakeTimeout(Duration.ZERO)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.handshakeTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.handshakeTimeout(Duration.ofDays(25)));
        assertThrows(NullPointerException.class, () -> builder.handshakeTimeout(null));
    }
}
