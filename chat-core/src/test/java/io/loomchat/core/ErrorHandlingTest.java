package io.loomchat.core;

import static io.loomchat.core.Runs.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.loomchat.core.Chunkings.Chunking;
import io.loomchat.core.RecordingSession.OnError;
import io.loomchat.core.RecordingSession.Transcript;
import io.loomchat.core.Runs.Live;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one failure boundary per connection: handleError, its default, and the message size limit. */
@Timeout(30)
class ErrorHandlingTest {
    private static final String SESSION_LOG = "io.loomchat.session";
    /** Where a broken limit is logged, once, whatever the session's handleError does. */
    private static final String LIMITS_LOG = "io.loomchat.limits";
    private static final ChatOptions MAX_16 = ChatOptions.defaults().withMaxMessageSize(16);

    @Test
    void throwingCallbackGoesToHandleErrorWhoseDefaultLogsOnceAndCloses() throws Exception {
        IllegalStateException bug = new IllegalStateException("session bug (expected by the test)");
        try (CapturedLog log = CapturedLog.of(SESSION_LOG);
             Live live = start(ScriptedInput.open(), channel -> new Thrower(channel, bug).onError(OnError.DEFAULT))) {
            live.in().feed("fine\nboom\nnever\n");
            live.awaitClosed();

            assertEquals(List.of(bug), live.session().errors());
            assertEquals(List.of("fine", "boom"), live.session().messages());
            assertEquals(1, live.session().closedCalls());
            List<ILoggingEvent> events = log.events();
            assertEquals(1, events.size(), events.toString());
            assertEquals(Level.WARN, events.get(0).getLevel());
            assertEquals(bug.getMessage(), events.get(0).getThrowableProxy().getMessage());
        }
    }

    /** The session callbacks that may throw. */
    enum Callback { OPENED, COLLECT_INCOMING_DATA, FOUND_TERMINATOR }

    @ParameterizedTest
    @EnumSource(Callback.class)
    void exceptionFromAnyCallbackReachesHandleError(Callback callback) throws Exception {
        RuntimeException bug = new RuntimeException("thrown by " + callback + " (expected by the test)");
        List<byte[]> input = List.of(Runs.ascii("line\n"));

        ChatOptions options = ChatOptions.defaults();
        RecordingSession session = Runs.runToEnd(input, options, channel -> new RecordingSession(channel) {
            {
                channel.setTerminator("\n");
            }

            @Override
            public void opened() {
                super.opened();
                if (callback == Callback.OPENED) throw bug;
            }

            @Override
            public void collectIncomingData(byte[] data) {
                super.collectIncomingData(data);
                if (callback == Callback.COLLECT_INCOMING_DATA) throw bug;
            }

            @Override
            void onMessage(byte[] message) {
                if (callback == Callback.FOUND_TERMINATOR) throw bug;
            }
        }).session();

        assertEquals(List.of(bug), session.errors());
        assertEquals(1, session.closedCalls());
    }

    @Test
    void handleErrorThatKeepsTheChannelOpenSkipsOnlyTheFailedCallback() throws Exception {
        IllegalStateException bug = new IllegalStateException("expected by the test");
        try (Live live = start(ScriptedInput.open(), channel -> new Thrower(channel, bug).onError(OnError.KEEP_OPEN))) {
            live.in().feed("a\nboom\nc\n");

            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("ok a\\nok c\\n", live.out().escaped()));
            assertEquals(List.of(bug), live.session().errors());
            assertFalse(live.connection().isClosed());
        }
    }

    @Test
    void sessionFactoryThatThrowsClosesTheConnectionWithoutASession() throws Exception {
        ScriptedInput in = ScriptedInput.open().feed("ignored\n");
        CapturedOutput out = new CapturedOutput();
        try (CapturedLog log = CapturedLog.of("io.loomchat.core.internal.SessionDispatcher");
             ChatConnection connection = ChatConnection.start(in, out, channel -> {
                 throw new IOException("refused (expected by the test)");
             })) {
            assertTrue(connection.awaitClosed(Runs.TIMEOUT));

            assertTrue(in.isClosed());
            assertTrue(out.isClosed());
            assertEquals(1, log.events().stream().filter(e -> e.getLevel() == Level.WARN).count());
        }
    }

    @Test
    void producerThatThrowsGoesToHandleErrorAndIsDropped() throws Exception {
        IOException gone = new IOException("disk gone (expected by the test)");
        try (Live live = start(ScriptedInput.open(), channel -> RecordingSession.onLines(channel, message -> {
            channel.push("before|");
            channel.pushWithProducer(() -> {
                throw gone;
            });
            channel.push("after|");
        }).onError(OnError.KEEP_OPEN))) {
            live.in().feed("go\n");

            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("before|after|", live.out().escaped()));
            assertEquals(List.of(gone), live.session().errors());
            assertFalse(live.connection().isClosed());
        }
    }

    @Test
    void producerThatThrowsClosesTheConnectionByDefault() throws Exception {
        try (CapturedLog log = CapturedLog.of(SESSION_LOG);
             Live live = start(ScriptedInput.open(), channel -> RecordingSession.onLines(channel, message ->
                     channel.pushWithProducer(() -> {
                         throw new IOException("disk gone (expected by the test)");
                     })).onError(OnError.DEFAULT))) {
            live.in().feed("go\n");
            live.awaitClosed();

            assertInstanceOf(IOException.class, live.session().errors().get(0));
            assertEquals(1, log.events().size());
        }
    }

    @Test
    void lineExactlyAtMaxMessageSizePasses() throws Exception {
        String sixteen = "0123456789abcdef";

        Transcript lf = Runs.sameUnderEveryChunking(Chunkings.of(sixteen + "\n" + sixteen + "\nx"), MAX_16,
                channel -> RecordingSession.with(channel, Terminator.delimiter("\n")));
        Transcript crlf = Runs.sameUnderEveryChunking(Chunkings.of(sixteen + "\r\n"), MAX_16,
                channel -> RecordingSession.with(channel, Terminator.delimiter("\r\n")));

        assertEquals(new Transcript(List.of(sixteen, sixteen), "x"), lf);
        assertEquals(new Transcript(List.of(sixteen), ""), crlf);
    }

    @Test
    void oneByteOverMaxMessageSizeGivesHandleErrorALimitExceptionAndCloses() throws Exception {
        for (Chunking chunking : Chunkings.of("0123456789abcdefg\nnext\n")) {
            try (CapturedLog log = CapturedLog.of(LIMITS_LOG); CapturedLog sessionLog = CapturedLog.of(SESSION_LOG)) {
                RecordingSession session = Runs.runToEnd(chunking.chunks(), MAX_16,
                        channel -> RecordingSession.with(channel, Terminator.delimiter("\n")).onError(OnError.DEFAULT))
                        .session();

                assertEquals(1, session.errors().size(), chunking.toString());
                ChatLimitException limit = assertInstanceOf(ChatLimitException.class, session.errors().get(0));
                assertEquals("maxMessageSize", limit.limit());
                assertEquals(16, limit.value());
                assertEquals(List.of(), session.messages(), chunking.toString());
                assertTrue(session.tail().length() <= 16, chunking + ": collected " + session.tail());
                assertEquals(1, session.closedCalls());
                // The peer's doing, not a bug: one warning, without a stack trace, and not twice.
                assertEquals(1, log.warnings().size(), chunking.toString());
                assertNull(log.events().get(0).getThrowableProxy());
                assertEquals(List.of(), sessionLog.messages(), "the default hook does not say it again");
            }
        }
    }

    @Test
    void brokenLimitClosesEvenWhenHandleErrorKeepsTheChannelOpen() throws Exception {
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG);
             Live live = start(ScriptedInput.open(), MAX_16,
                channel -> RecordingSession.with(channel, Terminator.delimiter("\n")).onError(OnError.KEEP_OPEN))) {
            live.in().feed("x".repeat(17));
            live.awaitClosed();

            ChatLimitException limit = assertInstanceOf(ChatLimitException.class, live.session().errors().get(0));
            assertEquals(CloseReason.MESSAGE_TOO_LONG, limit.reason());
            assertEquals(1, live.session().closedCalls());
            // The hook said nothing: the limit is logged anyway, once, for the operator.
            assertEquals(1, log.warnings().size(), () -> "one warning: " + log.warnings());
            assertTrue(log.warnings().get(0).contains("maxMessageSize (16) exceeded"), log.warnings().get(0));
        }
    }

    @Test
    void countBodyLongerThanMaxMessageSizeIsNotLimited() throws Exception {
        String body = "b".repeat(100);

        Transcript transcript = Runs.sameUnderEveryChunking(Chunkings.of(body + "rest"), MAX_16,
                channel -> RecordingSession.with(channel, Terminator.count(100)));

        assertEquals(new Transcript(List.of(body), "rest"), transcript);
    }

    /** Replies "ok LINE" to each line, and throws {@code bug} on "boom". */
    private static final class Thrower extends RecordingSession {
        private final RuntimeException bug;

        Thrower(ChatChannel channel, RuntimeException bug) {
            super(channel);
            this.bug = bug;
            channel.setTerminator("\n");
        }

        @Override
        void onMessage(byte[] message) {
            String line = new String(message, StandardCharsets.UTF_8);
            if (line.equals("boom")) throw bug;
            channel.push("ok " + line + "\n");
        }
    }
}
