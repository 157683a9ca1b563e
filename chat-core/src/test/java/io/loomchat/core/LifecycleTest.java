package io.loomchat.core;

import static io.loomchat.core.Runs.sameUnderEveryChunking;
import static io.loomchat.core.Runs.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.RecordingSession.Transcript;
import io.loomchat.core.Runs.Live;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How a connection ends: peer EOF, close, closeWhenDone, errors; and what is dispatched around it. */
@Timeout(30)
class LifecycleTest {

    @Test
    void peerEofStillWritesOutputQueuedBeforeItThenCloses() throws Exception {
        GatedProducer gated = new GatedProducer("P\n");
        try (Live live = start(ScriptedInput.open(), channel -> RecordingSession.onLines(channel, message -> {
            channel.push("got " + new String(message, StandardCharsets.UTF_8) + "\n");
            channel.pushWithProducer(gated);
        }))) {
            live.in().feed("a\n").end();
            gated.awaitBlocked();
            await().atMost(Runs.TIMEOUT).until(live.in()::endReturned);
            // After EOF nothing new is taken, but what was queued before is still written.
            await().atMost(Runs.TIMEOUT).until(() -> !live.connection().channel().isOpen());
            assertFalse(live.connection().isClosed());
            assertFalse(live.out().isClosed());

            gated.release();

            assertEquals("got a\\nP\\n", live.awaitClosed().out().escaped());
            assertTrue(live.out().isClosed());
            assertEquals(1, live.session().closedCalls());
        }
    }

    @Test
    void delimiterPrefixHeldBackAtEndOfInputIsNeverCollected() throws Exception {
        Transcript lines = sameUnderEveryChunking("one\r\ntwo\r",
                channel -> RecordingSession.with(channel, Terminator.delimiter("\r\n")));
        Transcript qqq = sameUnderEveryChunking("abqq",
                channel -> RecordingSession.with(channel, Terminator.delimiter("qqq")));

        assertEquals(new Transcript(List.of("one"), "two"), lines);
        assertEquals(new Transcript(List.of(), "ab"), qqq);
    }

    /** The ways a connection can be closed. */
    enum Closer { PEER_EOF, READ_FAILS, WRITE_FAILS, CLOSE_IN_CALLBACK, CLOSE_FROM_ANOTHER_THREAD, CONNECTION_CLOSE,
        CLOSE_WHEN_DONE, SESSION_THROWS }

    @ParameterizedTest
    @EnumSource(Closer.class)
    void closedRunsExactlyOnceWhicheverSideCloses(Closer closer) throws Exception {
        try (Live live = start(ScriptedInput.open(), channel -> RecordingSession.onLines(channel, message -> {
            switch (new String(message, StandardCharsets.UTF_8)) {
                case "close" -> channel.close();
                case "closeWhenDone" -> channel.closeWhenDone();
                case "throw" -> throw new IllegalStateException("session bug (expected by the test)");
                default -> channel.push("echo\n");
            }
        }))) {
            live.in().feed("hello\n");
            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("echo\\n", live.out().escaped()));
            ChatChannel channel = live.connection().channel();
            switch (closer) {
                case PEER_EOF -> live.in().end();
                case READ_FAILS -> live.in().fail();
                case WRITE_FAILS -> {
                    live.out().close();
                    channel.push("lost\n");
                }
                case CLOSE_IN_CALLBACK -> live.in().feed("close\n");
                case CLOSE_FROM_ANOTHER_THREAD -> Thread.ofVirtual().start(channel::close);
                case CONNECTION_CLOSE -> live.connection().close();
                case CLOSE_WHEN_DONE -> live.in().feed("closeWhenDone\n");
                case SESSION_THROWS -> live.in().feed("throw\n");
            }
            live.awaitClosed();
            channel.close();
            channel.closeWhenDone();
            live.connection().close();

            assertEquals(1, live.session().closedCalls());
            assertTrue(live.in().isClosed(), "input closed");
            assertTrue(live.out().isClosed(), "output closed");
            assertFalse(channel.isOpen());
        }
    }

    @Test
    void closeInFoundTerminatorStopsDispatchOfInputAlreadyBuffered() throws Exception {
        // A deliberate difference from asynchat, which went on dispatching ac_in_buffer after close().
        List<byte[]> oneRead = List.of(Runs.ascii("one\ntwo\nthree"));

        RecordingSession session = Runs.runToEnd(oneRead, ChatOptions.defaults(),
                channel -> RecordingSession.onLines(channel, message -> channel.close())).session();

        assertEquals(List.of("one"), session.messages());
        assertEquals(List.of("one"), session.pieces());
        assertEquals(1, session.closedCalls());
    }

    @Test
    void closeInCollectIncomingDataStopsTheFoundTerminatorOfThatMessage() throws Exception {
        for (Terminator terminator : List.of(Terminator.delimiter("\n"), Terminator.count(3))) {
            RecordingSession session = Runs.runToEnd(List.of(Runs.ascii("one\ntwo\n")), ChatOptions.defaults(),
                    channel -> new RecordingSession(channel) {
                        {
                            channel.setTerminator(terminator);
                        }

                        @Override
                        public void collectIncomingData(byte[] data) {
                            super.collectIncomingData(data);
                            channel.close();
                        }
                    }).session();

            assertEquals(List.of("one"), session.pieces(), terminator.toString());
            assertEquals(List.of(), session.messages(), terminator.toString());
        }
    }

    @Test
    void closeWakesAProducerBlockedInMoreAndEndsTheConnection() throws Exception {
        GatedProducer gated = new GatedProducer("never");
        try (Live live = start(ScriptedInput.open(), channel -> {
            channel.pushWithProducer(gated);
            return new RecordingSession(channel);
        })) {
            gated.awaitBlocked();
            live.connection().close();

            assertTrue(live.connection().awaitClosed(Duration.ofSeconds(2)), "closed while the producer blocks");
            assertTrue(gated.wasInterrupted());
            assertEquals("", live.out().escaped());
        }
    }

    @Test
    void pushToAClosingMembersChannelNeverBreaksThePushersConnection() throws Exception {
        List<ChatChannel> room = new CopyOnWriteArrayList<>();
        GatedProducer draining = new GatedProducer();
        try (Live closed = start(ScriptedInput.open(), channel -> new Member(channel, room));
             Live closing = start(ScriptedInput.open(), channel -> new Member(channel, room));
             Live broken = start(ScriptedInput.open(), channel -> new Member(channel, room));
             Live speaker = start(ScriptedInput.open(), channel -> new Member(channel, room))) {
            List.of(closed, closing, broken, speaker).forEach(Live::session);
            closed.connection().close();
            closed.awaitClosed();
            closing.connection().channel().pushWithProducer(draining);
            closing.connection().channel().closeWhenDone();
            broken.out().close(); // its peer is gone: the next write fails on its own pump thread

            speaker.in().feed("hi\n");
            broken.awaitClosed();
            speaker.in().feed("again\n");

            await().atMost(Runs.TIMEOUT).untilAsserted(() -> assertEquals("hi\\nagain\\n", speaker.out().escaped()));
            assertFalse(speaker.connection().isClosed());
            assertEquals(List.of(), speaker.session().errors());
            assertEquals("", closed.out().escaped());
            draining.release();
            assertEquals("", closing.awaitClosed().out().escaped());
        }
    }

    @Test
    void everyCallbackRunsOnTheConnectionsVirtualThreadAfterOneOpened() throws Exception {
        List<Boolean> virtual = new CopyOnWriteArrayList<>();
        RecordingSession session = Runs.runToEnd(Chunkings.fixed(Runs.ascii("a\nb\nc"), 2), ChatOptions.defaults(),
                channel -> new RecordingSession(channel) {
                    {
                        channel.setTerminator("\n");
                        virtual.add(Thread.currentThread().isVirtual());
                    }

                    @Override
                    void onMessage(byte[] message) {
                        virtual.add(Thread.currentThread().isVirtual());
                    }
                }).session();

        assertEquals(1, session.openedCalls());
        assertEquals(List.of(true, true, true), virtual);
        assertEquals(1, session.callbackThreads().size(), session.callbackThreads().toString());
        assertTrue(session.callbackThreads().iterator().next().matches("loomchat-conn-\\d+"),
                session.callbackThreads().toString());
    }

    /** A chat room member: every line it gets goes to every member of the room, itself included. */
    private static final class Member extends RecordingSession {
        private final List<ChatChannel> room;

        Member(ChatChannel channel, List<ChatChannel> room) {
            super(channel);
            this.room = room;
            channel.setTerminator("\n");
            room.add(channel);
        }

        @Override
        void onMessage(byte[] message) {
            for (ChatChannel member : room) {
                member.push(message);
                member.push("\n");
            }
        }
    }
}
