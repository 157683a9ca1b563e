package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.ConnectionTimeouts.Stamps;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionTimeoutsTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_000 * S;
    private final ConnectionTimeouts timeouts = new ConnectionTimeouts(ChatOptions.defaults()
            .withIdleTimeout(Duration.ofSeconds(60)).withMessageTimeout(Duration.ofSeconds(10))
            .withWriteTimeout(Duration.ofSeconds(30)));

    private static Stamps reading(long since) {
        return new Stamps(since, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void idleCountsFromTheReadOnlyOnceTheTimeoutIsPassed() {
        assertNull(timeouts.expired(T0 + 60 * S, true, reading(T0)), "exactly the timeout");
        assertEquals(CloseReason.IDLE_TIMEOUT, timeouts.expired(T0 + 60 * S + 1, true, reading(T0)));
    }

    @Test
    void aRecentWriteKeepsAConnectionBusy() {
        Stamps stamps = new Stamps(T0, 0, 0, T0 + 50 * S, 0, 0, 0);
        assertNull(timeouts.expired(T0 + 100 * S, true, stamps));
        assertEquals(CloseReason.IDLE_TIMEOUT, timeouts.expired(T0 + 111 * S, true, stamps));
    }

    @Test
    void idleDoesNotCountWhileNotReadingOrWhileAWriteIsUnderWay() {
        assertNull(timeouts.expired(T0 + 1_000 * S, true, new Stamps(0, 0, 0, 0, 0, 0, 0)), "dispatching, not reading");
        assertNull(timeouts.expired(T0 + 61 * S, true, new Stamps(T0, 0, T0 + 60 * S, 0, 0, 0, 0)), "a write under way");
    }

    @Test
    void aMessageTakingTooLongRunsOut() {
        Stamps stamps = new Stamps(T0 + 9 * S, T0, 0, 0, 0, 0, 0);
        assertNull(timeouts.expired(T0 + 10 * S, true, stamps));
        assertEquals(CloseReason.MESSAGE_TIMEOUT, timeouts.expired(T0 + 10 * S + 1, true, stamps));
    }

    @Test
    void theWriteTimeoutCountsAfterTheInputEndedAndComesFirst() {
        Stamps stamps = new Stamps(T0, T0, T0, 0, 0, 0, 0);
        assertEquals(CloseReason.WRITE_TIMEOUT, timeouts.expired(T0 + 31 * S, false, stamps));
        assertEquals(CloseReason.WRITE_TIMEOUT, timeouts.expired(T0 + 61 * S, true, stamps));
        assertNull(timeouts.expired(T0 + 1_000 * S, false, new Stamps(T0, T0, 0, 0, 0, 0, 0)),
                "idle and message count only while input is dispatched");
    }

    @Test
    void whileLingeringOnlyTheLingerCounts() {
        Stamps stamps = new Stamps(T0, T0, T0, 0, T0, 0, 0);
        long linger = ConnectionTimeouts.LINGER.toNanos();
        assertNull(timeouts.expired(T0 + linger, false, stamps));
        assertEquals(CloseReason.CLOSE_WHEN_DONE, timeouts.expired(T0 + linger + 1, false, stamps));
    }

    /**
     * After the peer broke a limit the output gets the write timeout in all to drain, even while each write goes
     * on (a peer that reads a byte now and then); with no write timeout, 30 s.
     */
    @Test
    void afterABrokenLimitTheOutputDrainsForTheWriteTimeoutInAll() {
        Stamps draining = new Stamps(0, 0, T0 + 29 * S, T0 + 29 * S, 0, 0, T0);
        assertNull(timeouts.expired(T0 + 30 * S, false, draining), "exactly the write timeout");
        assertEquals(CloseReason.CLOSE_WHEN_DONE, timeouts.expired(T0 + 30 * S + 1, false, draining));
        ConnectionTimeouts noWriteTimeout = new ConnectionTimeouts(ChatOptions.defaults()
                .withWriteTimeout(Duration.ZERO));
        long bound = ConnectionTimeouts.DRAIN_AFTER_LIMIT.toNanos();
        assertNull(noWriteTimeout.expired(T0 + bound, false, draining));
        assertEquals(CloseReason.CLOSE_WHEN_DONE, noWriteTimeout.expired(T0 + bound + 1, false, draining));
    }

    @Test
    void whileOpeningOnlyTheHandshakeCounts() {
        ConnectionTimeouts tls = new ConnectionTimeouts(ChatOptions.defaults()
                .withHandshakeTimeout(Duration.ofSeconds(10)).withIdleTimeout(Duration.ofSeconds(1)));
        Stamps opening = new Stamps(0, 0, 0, 0, 0, T0, 0);
        assertNull(tls.expired(T0 + 10 * S, true, opening), "exactly the timeout");
        assertEquals(CloseReason.HANDSHAKE_TIMEOUT, tls.expired(T0 + 10 * S + 1, true, opening));
        assertEquals(Duration.ofSeconds(10), tls.handshakeTimeout());
    }

    @Test
    void zeroMeansNever() {
        ConnectionTimeouts never = new ConnectionTimeouts(ChatOptions.defaults().withIdleTimeout(Duration.ZERO)
                .withMessageTimeout(Duration.ZERO).withWriteTimeout(Duration.ZERO).withHandshakeTimeout(Duration.ZERO));
        assertNull(never.expired(T0 + 10_000_000 * S, true, new Stamps(T0, T0, T0, T0, 0, 0, 0)));
        assertNull(never.expired(T0 + 10_000_000 * S, true, new Stamps(0, 0, 0, 0, 0, T0, 0)));
    }

    @Test
    void eachTimeoutHasAnErrorNamingItsLimit() {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 7);
        assertEquals("idleTimeout", timeouts.error(CloseReason.IDLE_TIMEOUT, peer).limit());
        assertEquals(60_000, timeouts.error(CloseReason.IDLE_TIMEOUT, peer).value());
        assertEquals("messageTimeout", timeouts.error(CloseReason.MESSAGE_TIMEOUT, peer).limit());
        assertEquals("writeTimeout (30000) exceeded by /127.0.0.1:7: did not read its output for 30000 ms",
                timeouts.error(CloseReason.WRITE_TIMEOUT, peer).getMessage());
        assertThrows(IllegalArgumentException.class, () -> timeouts.error(CloseReason.CLOSED, peer));
    }
}
