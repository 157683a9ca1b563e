package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events a connection records, as an operator reads them with {@code jfr print}. */
class JfrEventsTest {
    @TempDir
    Path dir;

    @Test
    void aConnectionRecordsItsOpeningAndItsCloseWithReasonAndBytes() throws Exception {
        Path file = dir.resolve("loomchat.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.loomchat.ConnectionOpened");
            recording.enable("io.loomchat.ConnectionClosed");
            recording.start();
            ScriptedInput in = ScriptedInput.open().feed("hello\nQUIT\n");  // and no end: the session closes
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChatConnection connection = ChatConnection.start(in, out, channel -> {
                channel.setTerminator("\n");
                return new ChatSession() {
                    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                    @Override
                    public void collectIncomingData(byte[] data) {
                        line.writeBytes(data);
                    }

                    @Override
                    public void foundTerminator() {
                        String text = line.toString();
                        line.reset();
                        channel.push(text + "\n");
                        if (text.equals("QUIT")) channel.closeWhenDone();
                    }
                };
            });
            assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> opened = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.loomchat.ConnectionOpened")).toList();
        List<RecordedEvent> closed = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.loomchat.ConnectionClosed")).toList();
        assertEquals(1, opened.size(), events::toString);
        assertEquals(1, closed.size(), events::toString);
        assertEquals(opened.get(0).getLong("connection"), closed.get(0).getLong("connection"));
        assertEquals("CLOSE_WHEN_DONE", closed.get(0).getString("reason"));
        assertEquals(11, closed.get(0).getLong("bytesIn"));
        assertEquals(11, closed.get(0).getLong("bytesOut"));
        assertTrue(Files.size(file) > 0);
    }

    /** An output whose writes block until it is closed: a peer that stopped reading. */
    private static final class DeafPeer extends OutputStream {
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                closed.await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
            throw new IOException("closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aWriteTimeoutRecordsTheSlowConsumerWithTheOutputItLeftQueued() throws Exception {
        Path file = dir.resolve("slow.jfr");
        try (Recording recording = new Recording(); CapturedLog limits = CapturedLog.of("io.loomchat.limits")) {
            recording.enable("io.loomchat.SlowConsumerClosed");
            recording.enable("io.loomchat.ConnectionClosed");
            recording.start();
            ChatConnection connection = ChatConnection.start(ScriptedInput.open(), new DeafPeer(),
                    ChatOptions.defaults().withWriteTimeout(Duration.ofMillis(300)), channel -> {
                        channel.setTerminator("\n");
                        return new ChatSession() {
                            @Override
                            public void collectIncomingData(byte[] data) {
                            }

                            @Override
                            public void foundTerminator() {
                            }
                        };
                    });
            connection.channel().push("x".repeat(100));  // the pump's write blocks on it
            connection.channel().push("y".repeat(100));  // and this waits in the queue
            assertTrue(connection.awaitClosed(Duration.ofSeconds(10)), "the write timeout did not close");
            recording.stop();
            recording.dump(file);
            assertEquals(1, limits.warnings().size(), () -> "one warning: " + limits.warnings());
            assertTrue(limits.warnings().get(0).contains("writeTimeout (300) exceeded"), limits.warnings().get(0));
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> slow = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.loomchat.SlowConsumerClosed")).toList();
        List<RecordedEvent> closed = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.loomchat.ConnectionClosed")).toList();
        assertEquals(1, slow.size(), events::toString);
        assertEquals(1, closed.size(), events::toString);
        assertEquals(slow.get(0).getLong("connection"), closed.get(0).getLong("connection"));
        assertTrue(slow.get(0).getLong("queuedBytes") >= 100, slow.get(0)::toString);
        assertEquals("WRITE_TIMEOUT", closed.get(0).getString("reason"));
    }
}
