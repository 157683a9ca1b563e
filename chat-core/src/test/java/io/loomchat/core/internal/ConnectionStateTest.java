package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatLimitException;
import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.ConnectionState.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConnectionStateTest {
    private static final ChatLimitException IDLE = new ChatLimitException("idleTimeout", 1, null, "test");
    private static final ChatLimitException WRITE = new ChatLimitException("writeTimeout", 1, null, "test");

    @Test
    void aNewConnectionIsOpenWithNoReason() {
        ConnectionState state = new ConnectionState();
        assertEquals(Phase.OPEN, state.phase());
        assertTrue(state.dispatching());
        assertNull(state.reason());
        assertNull(state.limit());
    }

    @Test
    void thePhaseMovesOnlyForward() {
        ConnectionState state = new ConnectionState();
        assertTrue(state.advance(Phase.LINGERING, CloseReason.CLOSE_WHEN_DONE));
        assertFalse(state.advance(Phase.INPUT_ENDED, CloseReason.PEER_CLOSED), "back to an earlier phase");
        assertFalse(state.advance(Phase.LINGERING, CloseReason.PEER_CLOSED), "the same phase again");
        assertEquals(Phase.LINGERING, state.phase());
        assertFalse(state.dispatching());
        assertTrue(state.reached(Phase.INPUT_ENDED));
        assertFalse(state.reached(Phase.CLOSING));
    }

    @Test
    void theFirstCauseWins() {
        ConnectionState state = new ConnectionState();
        state.advance(Phase.INPUT_ENDED, CloseReason.IDLE_TIMEOUT, IDLE);
        state.advance(Phase.CLOSING, CloseReason.WRITE_TIMEOUT, WRITE);
        state.advance(Phase.CLOSED, CloseReason.CLOSED);
        assertEquals(Phase.CLOSED, state.phase());
        assertEquals(CloseReason.IDLE_TIMEOUT, state.reason());
        assertSame(IDLE, state.limit());
    }

    @Test
    void aLimitGivenAfterAPlainCauseIsStillRecorded() {
        ConnectionState state = new ConnectionState();
        state.advance(Phase.INPUT_ENDED, CloseReason.PEER_CLOSED);
        state.advance(Phase.CLOSING, CloseReason.WRITE_TIMEOUT, WRITE);
        assertEquals(CloseReason.PEER_CLOSED, state.reason());
        assertSame(WRITE, state.limit(), "the session is still told of the write timeout");
    }

    @Test
    void aFailedWriteTurnsAPeerCloseIntoAResetAndNothingElse() {
        ConnectionState closed = new ConnectionState();
        closed.advance(Phase.INPUT_ENDED, CloseReason.PEER_CLOSED);
        closed.writeFailed();
        assertEquals(CloseReason.PEER_RESET, closed.reason());

        ConnectionState shutdown = new ConnectionState();
        shutdown.advance(Phase.INPUT_ENDED, CloseReason.SHUTDOWN);
        shutdown.writeFailed();
        assertEquals(CloseReason.SHUTDOWN, shutdown.reason());
    }

    @Test
    void ofRacingClosesExactlyOneMovesThePhaseAndItsReasonIsKept() throws Exception {
        CloseReason[] reasons = {CloseReason.CLOSED, CloseReason.PEER_RESET, CloseReason.SESSION_ERROR,
                CloseReason.SHUTDOWN, CloseReason.WRITE_TIMEOUT, CloseReason.CLOSE_WHEN_DONE};
        for (int round = 0; round < 200; round++) {
            ConnectionState state = new ConnectionState();
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger moved = new AtomicInteger();
            List<CloseReason> winners = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (CloseReason reason : reasons) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (state.advance(Phase.CLOSED, reason)) {
                        moved.incrementAndGet();
                        winners.add(reason);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) assertTrue(t.join(java.time.Duration.ofSeconds(5)));
            assertEquals(1, moved.get());
            assertEquals(winners.get(0), state.reason());
        }
    }
}
