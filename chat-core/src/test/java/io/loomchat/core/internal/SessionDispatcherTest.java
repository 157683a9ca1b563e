package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.CapturedLog;
import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.ConnectionState.Phase;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The failure boundary alone: which close a session's error causes, and what is logged. */
class SessionDispatcherTest {
    private final ConnectionState state = new ConnectionState();
    private final PumpFixture output = new PumpFixture(1 << 20, 1 << 16, true);
    private final List<CloseReason> closes = new CopyOnWriteArrayList<>();
    private final List<Throwable> outputFailures = new CopyOnWriteArrayList<>();
    private final SessionDispatcher dispatcher = new SessionDispatcher(state, output.hold, closes::add,
            outputFailures::add, "loomchat-conn-test", null, Runnable::run, new LogContext(null, "loomchat-conn-test"));
    /** The sessions here do not use their channel. */
    private final ChatChannel channel = null;

    /** A session whose callbacks throw, and whose error hook records, then runs {@code hook}. */
    private ChatSession failing(List<Throwable> heard, Runnable hook) {
        return new ChatSession() {
            @Override
            public void collectIncomingData(byte[] data) {
                throw new IllegalStateException("collect (expected by the test)");
            }

            @Override
            public void foundTerminator() {
            }

            @Override
            public void handleError(ChatChannel channel, Throwable error) {
                heard.add(error);
                assertSame(CloseReason.SESSION_ERROR, dispatcher.closeReasonNow(), "a close in the hook is the error's");
                hook.run();
            }
        };
    }

    @Test
    void aCallbackThatThrowsGoesToTheErrorHookWhichDecides() {
        List<Throwable> heard = new CopyOnWriteArrayList<>();
        assertTrue(dispatcher.create(c -> failing(heard, () -> { }), channel));
        dispatcher.collect(new byte[] {1});
        assertEquals(1, heard.size());
        assertTrue(closes.isEmpty(), "the hook did not close: the connection goes on");
        assertSame(CloseReason.CLOSED, dispatcher.closeReasonNow(), "outside the hook a close is a plain one");
    }

    @Test
    void anErrorHookThatThrowsClosesAsASessionErrorAndLogsOnce() {
        try (CapturedLog log = CapturedLog.of(SessionDispatcher.class)) {
            dispatcher.create(c -> failing(new CopyOnWriteArrayList<>(), () -> {
                throw new IllegalStateException("the hook too (expected by the test)");
            }), channel);
            dispatcher.collect(new byte[] {1});
            assertEquals(List.of(CloseReason.SESSION_ERROR), closes);
            assertEquals(1, log.warnings().size(), () -> "one warning: " + log.warnings());
        }
    }

    @Test
    void aFactoryThatThrowsLeavesNoSessionAndClosesAsASessionError() {
        try (CapturedLog log = CapturedLog.of(SessionDispatcher.class)) {
            assertFalse(dispatcher.create(c -> {
                throw new IOException("refused (expected by the test)");
            }, channel));
            assertFalse(dispatcher.hasSession());
            assertEquals(List.of(CloseReason.SESSION_ERROR), closes);
            assertEquals(1, log.messages().size(), () -> "one line: " + log.messages());
            dispatcher.closed();  // no session: nothing to tell, nothing thrown
        }
    }

    @Test
    void aMessageTooLongEndsTheInputWithItsLimit() {
        dispatcher.messageTooLong(100, 101);
        assertEquals(Phase.INPUT_ENDED, state.phase());
        assertEquals(CloseReason.MESSAGE_TOO_LONG, state.reason());
        assertEquals("maxMessageSize", state.limit().limit());
        assertFalse(dispatcher.dispatching());
    }

    @Test
    void theRepliesOfOneReadAreHeldThenWrittenWhenItsCallbacksReturn() {
        dispatcher.beginDispatch();
        output.push("+OK\r\n");
        assertEquals("", output.written());
        dispatcher.endDispatch();
        assertEquals("+OK\r\n", output.written());
        assertTrue(outputFailures.isEmpty());
    }
}
