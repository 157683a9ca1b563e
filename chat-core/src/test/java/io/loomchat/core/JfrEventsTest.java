package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
}
