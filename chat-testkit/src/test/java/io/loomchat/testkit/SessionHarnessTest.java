package io.loomchat.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Producers;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import io.loomchat.testkit.examples.Echo;
import io.loomchat.testkit.examples.LengthPrefixed;
import io.loomchat.testkit.internal.Escapes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SessionHarnessTest {

    @Test
    void halfALineProducesNothingUntilItsTerminatorArrives() {
        try (SessionHarness harness = SessionHarness.start(Echo::new)) {
            harness.feed("hel");
            assertEquals("", harness.takeOutput());
            harness.feed("lo\r");
            assertEquals("", harness.takeOutput());
            harness.feed("\n");
            assertEquals("hello\\r\\n", Escapes.escape(harness.takeOutput()));
        }
    }

    @Test
    void aGreetingPushedOnCreationIsWrittenWhenStartReturns() {
        try (SessionHarness harness = SessionHarness.start(channel -> {
            channel.push("220 ready\r\n");
            return new Echo(channel);
        })) {
            assertEquals("220 ready\\r\\n", Escapes.escape(harness.takeOutput()));
        }
    }

    @Test
    void feedReturnsOnlyOnceTheProducersAreDrained() {
        byte[] file = new byte[100_000];
        for (int i = 0; i < file.length; i++) file[i] = (byte) ('a' + i % 26);
        try (SessionHarness harness = SessionHarness.start(channel -> {
            channel.setTerminator("\r\n");
            return new ChatSession() {
                @Override public void collectIncomingData(byte[] data) { }

                @Override public void foundTerminator() {
                    channel.pushWithProducer(Producers.simple(file, 100));
                    channel.pushWithProducer(() -> null);
                    channel.push("\r\nend\r\n");
                }
            };
        })) {
            harness.feed("GET\r\n");
            byte[] output = harness.output();
            assertEquals(file.length + 7, output.length);
            assertEquals("\\r\\nend\\r\\n", Escapes.escape(output, file.length, output.length));
        }
    }

    @Test
    void callbacksRunOnTheConnectionsVirtualThreadAsOverASocket() {
        List<String> threads = new CopyOnWriteArrayList<>();
        try (SessionHarness harness = SessionHarness.start(channel -> {
            threads.add("create " + describe(Thread.currentThread()));
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override public void opened() { threads.add("opened " + describe(Thread.currentThread())); }

                @Override public void collectIncomingData(byte[] data) {
                    threads.add("collect " + describe(Thread.currentThread()));
                }

                @Override public void foundTerminator() { threads.add("found " + describe(Thread.currentThread())); }
            };
        })) {
            harness.feed("x\n");
        }
        assertEquals(4, threads.size(), threads::toString);
        String first = threads.get(0).substring("create ".length());
        assertTrue(first.matches("virtual loomchat-conn-\\d+"), first);
        assertEquals(List.of("create " + first, "opened " + first, "collect " + first, "found " + first), threads);
    }

    private static String describe(Thread thread) {
        return (thread.isVirtual() ? "virtual " : "platform ") + thread.getName();
    }

    @Test
    void terminatorIsTheSessionsCurrentOne() {
        try (SessionHarness harness = SessionHarness.start(LengthPrefixed::new)) {
            assertEquals(Terminator.delimiter("\r\n"), harness.terminator());
            harness.feed("SEND 5\r\nhe");
            assertEquals(Terminator.count(3), harness.terminator());
            harness.feed("llo");
            assertEquals(Terminator.delimiter("\r\n"), harness.terminator());
            assertEquals("""
                    > SEND 5\\r\\nhe
                    > llo
                    < got 5 bytes: hello\\r\\n
                    """, harness.transcript());
        }
    }

    @Test
    void closeWhenDoneIsSeenAndTheConnectionClosesAfterItsOutput() {
        try (SessionHarness harness = SessionHarness.start(channel -> {
            channel.setTerminator("\r\n");
            return new ChatSession() {
                @Override public void collectIncomingData(byte[] data) { }

                @Override public void foundTerminator() {
                    channel.push("bye\r\n");
                    channel.closeWhenDone();
                }
            };
        })) {
            assertFalse(harness.closeRequested());
            harness.feed("QUIT\r\n");
            assertTrue(harness.closeRequested());
            assertTrue(harness.isClosed());
            assertEquals("bye\\r\\n", Escapes.escape(harness.takeOutput()));
            harness.feed("more\r\n");
            assertEquals("", harness.takeOutput());
        }
    }

    @Test
    void endInputWritesWhatWasQueuedThenCloses() {
        try (SessionHarness harness = SessionHarness.start(Echo::new)) {
            harness.feed("a\r\nb").endInput();
            assertTrue(harness.isClosed());
            assertEquals("a\\r\\n", Escapes.escape(harness.takeOutput()));
            assertThrows(IllegalStateException.class, () -> harness.feed("c"));
        }
    }

    @Test
    void anErrorOfTheSessionIsKeptAndClosesTheConnection() {
        try (SessionHarness harness = SessionHarness.start(failingOnEachLine("boom"))) {
            harness.feed("x\r\n");
            assertTrue(harness.isClosed());
            assertEquals("boom", assertInstanceOf(IllegalStateException.class, harness.errors().get(0)).getMessage());
            assertEquals("> x\\r\\n\n# the session failed: java.lang.IllegalStateException: boom\n<EOF\n",
                    harness.transcript());
        }
    }

    @Test
    void aConversationFailingBecauseTheSessionFailedShowsTheSessionsError() {
        try (Conversation client = SessionHarness.start(failingOnEachLine("unknown command")).conversation()) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> client.send("HELO\r\n").expectLine("250 hello"));
            assertTrue(e.getMessage().startsWith("""
                    expectLine("250 hello") failed (step 2, talking to an in-memory session): the peer closed the \
                    connection
                      expected: a line "250 hello" ending "\\r\\n"
                      received: nothing, then end of stream
                    transcript so far (> sent, < received):
                      > HELO\\r\\n
                      <EOF
                    the session's handleError was called with:
                      java.lang.IllegalStateException: unknown command
                      \tat io.loomchat.testkit.SessionHarnessTest$"""), e.getMessage());
        }
    }

    /**
     * A session that throws {@code IllegalStateException(message)} at the end of each line, and whose error hook
     * closes without the default's WARN line: the harness records the error either way.
     */
    private static SessionFactory failingOnEachLine(String message) {
        return channel -> {
            channel.setTerminator("\r\n");
            return new ChatSession() {
                @Override public void collectIncomingData(byte[] data) { }

                @Override public void foundTerminator() { throw new IllegalStateException(message); }

                @Override public void handleError(ChatChannel channel, Throwable error) { channel.close(); }
            };
        };
    }

    @Test
    void transcriptShowsEachReadAndWhatItCaused() {
        try (SessionHarness harness = SessionHarness.start(Echo::new)) {
            harness.feed("one\r\ntw").feed("o\r\n");
            assertEquals("> one\\r\\ntw\n< one\\r\\n\n> o\\r\\n\n< two\\r\\n\n", harness.transcript());
        }
    }

    @Test
    void aConversationWithTheHarnessSeesTheSessionsOutputFromTheStart() {
        try (Conversation client = SessionHarness.start(channel -> {
            channel.push("hi\r\n");
            return new Echo(channel);
        }).conversation()) {
            client.expectLine("hi").send("x\r\n").expectLine("x").shutdownOutput().expectClosed();
        }
    }

    /** The harness's session sees the end of input as over a socket: inputEnded with the held-back tail. */
    @Test
    void theEndOfInputReachesTheSessionWithItsTail() {
        try (SessionHarness harness = SessionHarness.start(channel -> {
            channel.setTerminator("\r\n");
            return new ChatSession() {
                @Override public void collectIncomingData(byte[] data) { }

                @Override public void foundTerminator() { }

                @Override public void inputEnded(ChatChannel ended, byte[] tail) {
                    ended.push("tail " + Escapes.escape(new String(tail, java.nio.charset.StandardCharsets.UTF_8)));
                }
            };
        })) {
            harness.feed("last\r").endInput();
            assertEquals("tail \\r", harness.takeOutput());
        }
    }
}
