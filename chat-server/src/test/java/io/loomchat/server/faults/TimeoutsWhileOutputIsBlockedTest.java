package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatOptions;
import io.loomchat.server.CapturedLog;
import io.loomchat.server.ChatServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimeoutsWhileOutputIsBlockedTest {
    /** Where a broken limit is logged, once per connection. */
    private static final String LIMITS_LOG = "io.loomchat.limits";
    @TempDir
    static Path dir;
    private static SSLContext context;

    @BeforeAll
    static void makeCertificate() throws Exception {
        context = SelfSignedCertificate.create(dir).context();
    }

    /** Replies to a broken limit with an error line and closes when done: a common handleError. */
    static final class PoliteErrors extends FaultProtocol {
        private final ChatChannel channel;

        PoliteErrors(ChatChannel channel) {
            super(channel);
            this.channel = channel;
        }

        @Override
        public void handleError(ChatChannel channel, Throwable error) {
            ERRORS.incrementAndGet();
            this.channel.push("-ERR " + error.getMessage() + "\n");
            this.channel.closeWhenDone();
        }
    }

    /** Asserts that {@code log} holds exactly one warning, and that it matches {@code pattern}. */
    private static void assertLoggedOnce(CapturedLog log, String pattern) {
        List<String> warnings = log.warnings();
        assertEquals(1, warnings.size(), () -> "one warning: " + warnings);
        assertTrue(Pattern.compile(pattern).matcher(warnings.get(0)).find(), warnings.get(0) + " ~ " + pattern);
    }

    private static final String FLOOD = "BIG 100000\n".repeat(300);

    /** TLS: a message timeout while the pump is blocked writing to a deaf peer. */
    @Test
    void tlsMessageTimeoutWhileThePumpIsBlockedEndsTheConnection() throws Exception {
        ChatOptions o = ChatOptions.defaults().withWatermarks(50 << 20, 100 << 20)
                .withWriteTimeout(Duration.ofMillis(1000)).withMessageTimeout(Duration.ofMillis(300));
        ChatServer tls = ChatServer.builder().port(0).sslContext(context).options(o)
                .drainTimeout(Duration.ofMillis(300)).listen(FaultProtocol::new);
        try (CapturedLog limits = CapturedLog.of(LIMITS_LOG);
             SSLSocket deaf = (SSLSocket) context.getSocketFactory().createSocket()) {
            deaf.setReceiveBufferSize(4096);
            deaf.connect(new InetSocketAddress("127.0.0.1", tls.port()), 5_000);
            deaf.startHandshake();
            deaf.getOutputStream().write((FLOOD + "ECHO partial").getBytes(StandardCharsets.UTF_8));
            deaf.getOutputStream().flush();
            // Write timeout 1 s, message timeout 0.3 s: the connection must end, not wait on the deaf peer.
            await("the TLS connection to end").atMost(Duration.ofSeconds(6)).until(() -> tls.connectionCount() == 0);
            assertLoggedOnce(limits, "(writeTimeout \\(1000\\)|messageTimeout \\(300\\)) exceeded");
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(10), tls::close, "server close() returned");
        }
    }

    /** Plain TCP: maxMessageSize broken while the pump is blocked; handleError pushes and closes when done. */
    @Test
    void brokenLimitWithAPoliteHandlerStillEndsByTheWriteTimeout() throws Exception {
        ChatOptions o = ChatOptions.defaults().withWatermarks(50 << 20, 100 << 20)
                .withWriteTimeout(Duration.ofMillis(1000)).withMaxMessageSize(1000);
        ChatServer server = ChatServer.builder().port(0).options(o)
                .drainTimeout(Duration.ofMillis(300)).listen(PoliteErrors::new);
        try (CapturedLog limits = CapturedLog.of(LIMITS_LOG); Peer deaf = new Peer(server.port(), 4096)) {
            deaf.send(FLOOD + "a".repeat(5000));
            // The write timeout (1 s) still ends the drain of the polite handler's answer.
            await("the connection to end").atMost(Duration.ofSeconds(6)).until(() -> server.connectionCount() == 0);
            // Whichever limit broke first (the reader may still be writing its own replies when the write timeout
            // strikes), the connection logs it, and only it.
            assertLoggedOnce(limits, "(writeTimeout \\(1000\\)|maxMessageSize \\(1000\\)) exceeded");
        } finally {
            server.close();
        }
    }

    /** A pusher waiting behind a producer that is slow to produce: the peer reads fine. */
    @Test
    void pushWaitingBehindASlowProducerDoesNotBlameTheReadingPeer() throws Exception {
        ChatOptions o = ChatOptions.defaults().withWatermarks(100, 1000).withWriteTimeout(Duration.ofMillis(800));
        ChatServer server = ChatServer.builder().port(0).options(o).listen(FaultProtocol::new);
        try (Peer peer = new Peer(server.port())) {
            peer.send("STUCKPRODUCER\nBIG 2000\nBIG 2000\n");
            // Three write timeouts long, the peer stays open: the pump is in a producer, not blocked on the peer.
            await("a reading peer kept open").during(Duration.ofMillis(2400)).atMost(Duration.ofSeconds(4))
                    .until(() -> server.connectionCount() == 1);
        } finally {
            server.close();
        }
    }
}
