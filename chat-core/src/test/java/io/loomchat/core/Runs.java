package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Chunkings.Chunking;
import io.loomchat.core.RecordingSession.Transcript;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Runs sessions over {@link ScriptedInput} and {@link CapturedOutput} through {@link ChatConnection#start}. */
final class Runs {
    /** The deadline of every blocking step. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Runs() {
    }

    /** A running connection: its scripted input, its captured output, and the session it created. */
    record Live(ScriptedInput in, CapturedOutput out, ChatConnection connection,
                CompletableFuture<RecordingSession> created) implements AutoCloseable {

        /** Returns the session, waiting for the connection thread to create it. */
        RecordingSession session() {
            try {
                return created.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new AssertionError("no session within " + TIMEOUT, e);
            }
        }

        /** Waits for the connection to close and its session to be told; fails after the deadline. */
        Live awaitClosed() throws InterruptedException {
            assertTrue(connection.awaitClosed(TIMEOUT), "still open after " + TIMEOUT + ": " + connection);
            return this;
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    /** Starts a connection reading {@code in}; each session comes from {@code sessions}. */
    static Live start(ScriptedInput in, ChatOptions options, Function<ChatChannel, RecordingSession> sessions) {
        CapturedOutput out = new CapturedOutput();
        CompletableFuture<RecordingSession> created = new CompletableFuture<>();
        ChatConnection connection = ChatConnection.start(in, out, options, channel -> {
            RecordingSession session = sessions.apply(channel);
            created.complete(session);
            return session;
        });
        return new Live(in, out, connection, created);
    }

    static Live start(ScriptedInput in, Function<ChatChannel, RecordingSession> sessions) {
        return start(in, ChatOptions.defaults(), sessions);
    }

    /** Runs {@code chunks}, one per read, then end of input, and returns once the connection closed. */
    static Live runToEnd(List<byte[]> chunks, ChatOptions options, Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        try (Live live = start(ScriptedInput.of(chunks), options, sessions)) {
            return live.awaitClosed();
        }
    }

    /**
     * Runs the same input under every chunking and asserts that each gives the same messages and tail, that no
     * piece was empty, and that closed() ran once; returns that transcript.
     */
    static Transcript sameUnderEveryChunking(List<Chunking> chunkings, ChatOptions options,
                                             Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        Transcript first = null;
        for (Chunking chunking : chunkings) {
            RecordingSession session = runToEnd(chunking.chunks(), options, sessions).session();
            // asynchat: "don't bother reporting the empty string (source of subtle bugs)"
            assertFalse(session.pieces().contains(""), () -> "empty piece collected under " + chunking);
            assertEquals(1, session.closedCalls(), () -> "closed() calls under " + chunking);
            Transcript transcript = session.transcript();
            if (first == null) {
                first = transcript;
            } else {
                assertEquals(first, transcript, () -> "transcript differs from the first chunking under " + chunking);
            }
        }
        return first;
    }

    static Transcript sameUnderEveryChunking(String input, Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        return sameUnderEveryChunking(Chunkings.of(input), ChatOptions.defaults(), sessions);
    }

    static Transcript sameUnderEveryChunking(byte[] input, Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        return sameUnderEveryChunking(Chunkings.of(input), ChatOptions.defaults(), sessions);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
