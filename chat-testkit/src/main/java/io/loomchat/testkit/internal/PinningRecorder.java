package io.loomchat.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Records JFR's {@code jdk.VirtualThreadPinned} events, with no duration threshold, while a test runs: each is
 * a virtual thread that blocked while pinned to its carrier. Events with only JDK code on the stack are left out.
 */
public final class PinningRecorder {
    private static final String EVENT = "jdk.VirtualThreadPinned";
    /** Stack frames shown for each event. */
    private static final int MAX_FRAMES = 10;

    private final Recording recording = new Recording();

    private PinningRecorder() {
        recording.enable(EVENT).withThreshold(Duration.ZERO).withStackTrace();
        recording.setName("loomchat-testkit-pinning");
    }

    /** Starts recording. */
    public static PinningRecorder start() {
        PinningRecorder recorder = new PinningRecorder();
        recorder.recording.start();
        return recorder;
    }

    /**
     * Stops recording and returns each pinning event as text: the thread, how long, and where.
     *
     * @throws UncheckedIOException if the recording cannot be written to a temporary file and read back
     */
    public List<String> stop() {
        Path file = null;
        try {
            recording.stop();
            file = Files.createTempFile("loomchat-pinning", ".jfr");
            recording.dump(file);
            List<String> events = new ArrayList<>();
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getEventType().getName().equals(EVENT) && !jdkOnly(event)) events.add(describe(event));
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the JFR recording of pinning failed: " + e.getMessage(), e);
        } finally {
            recording.close();
            if (file != null) file.toFile().delete();
        }
    }

    /**
     * Returns whether only JDK code was running: the JDK's own virtual threads (the I/O pollers of JDK 22+ pin
     * briefly when they start), not something a test can change.
     */
    private static boolean jdkOnly(RecordedEvent event) {
        if (event.getStackTrace() == null) return false;
        for (RecordedFrame frame : event.getStackTrace().getFrames()) {
            String type = frame.getMethod().getType().getName();
            boolean jdk = type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.")
                    || type.startsWith("sun.") || type.startsWith("com.sun.");
            if (!jdk) return false;
        }
        return true;
    }

    private static String describe(RecordedEvent event) {
        StringBuilder sb = new StringBuilder();
        String thread = event.getThread() == null ? "a virtual thread" : event.getThread().getJavaName();
        long micros = event.getDuration().toNanos() / 1000;
        sb.append(thread).append(" was pinned for ")
                .append(micros < 1000 ? micros + " µs" : String.format("%.1f ms", micros / 1000.0));
        if (event.getStackTrace() != null) {
            int shown = 0;
            for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                String type = frame.getMethod().getType().getName();
                // JFR's own frames, where the event is posted, say nothing about the cause.
                if (type.equals("java.lang.VirtualThread") || type.startsWith("jdk.internal.")) continue;
                if (shown++ == MAX_FRAMES) {
                    sb.append("\n\t...");
                    break;
                }
                sb.append("\n\tat ").append(type).append('.').append(frame.getMethod().getName());
                if (frame.getLineNumber() > 0) sb.append(':').append(frame.getLineNumber());
            }
        }
        return sb.toString();
    }
}
