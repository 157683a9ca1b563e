package io.loomchat.server.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.server.ChatServer;
import java.io.File;
import java.time.Duration;

/** Checks that a fault left nothing behind: no open connection, no extra file descriptor. */
final class Leaks {
    /** Descriptors the JVM may open or close on its own meanwhile (JIT logs, class files, JFR). */
    private static final int SLACK = 8;

    private Leaks() {
    }

    static int openFileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Waits for every connection of {@code server} to end and the descriptors to return to {@code baseline}. */
    static void assertNoLeaks(ChatServer server, int baseline) {
        await("connections of " + server + " to end").atMost(Duration.ofSeconds(10))
                .until(() -> server.connectionCount() == 0);
        assertEquals(0, server.stats().open());
        await("open descriptors back to " + baseline + " (+" + SLACK + ")").atMost(Duration.ofSeconds(10))
                .until(() -> openFileDescriptors() <= baseline + SLACK);
    }
}
