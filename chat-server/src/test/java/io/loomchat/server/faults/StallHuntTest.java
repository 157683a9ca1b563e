package io.loomchat.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.server.CapturedLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Hunts lost wake-ups and stalls in the reader, the pump and the reply hold while another JVM burns every core
 * (see {@link StallHunt}): a room of sessions takes every output path (write-through, the pump over the
 * watermarks, producers, pushes from other threads and other connections, closeWhenDone) while clients pipeline
 * requests at it and check every reply. About 12 s by default; {@code bench/stall-hunt.sh} runs it for minutes,
 * through the system properties of {@link StallHunt.Settings#fromSystemProperties()}.
 */
class StallHuntTest {
    @Test
    void everyReplyArrivesWhileAnotherProcessBurnsEveryCore() throws Exception {
        try (CapturedLog log = CapturedLog.of("io.loomchat")) {
            String outcome = StallHunt.run(StallHunt.Settings.fromSystemProperties(), new StallRoom(0));
            assertEquals(List.of(), log.messages(), "loomchat's log");
            System.out.println(outcome);
        }
    }

    /** The hunt can see a stall: a session that never answers its 300th request is reported, with a dump. */
    @Test
    void aClientLeftWithoutItsReplyIsReportedWithTheThreadDump() throws Exception {
        var settings = new StallHunt.Settings(Duration.ofSeconds(4), 4, Duration.ofSeconds(2), 0, 1);
        StallRoom room = new StallRoom(300);
        AssertionError stall;
        List<String> warnings;
        try (CapturedLog log = CapturedLog.of("io.loomchat")) {
            stall = assertThrows(AssertionError.class, () -> StallHunt.run(settings, room));
            warnings = log.warnings();  // the server is closed by now
        }
        String report = stall.getMessage();
        assertTrue(report.contains("clients got no reply for over 2000 ms while the others were served"), report);
        Matcher thread = Pattern.compile("server side: (loomchat-conn-\\d+) in \"\\w \\d+").matcher(report);
        assertTrue(thread.find(), report);
        // If the server's close has to wait for the hanging session, it says so of that connection and no other.
        for (String warning : warnings) assertTrue(warning.contains(thread.group(1)), warning);
        // The stuck connection thread's whole stack, where the session waits.
        assertTrue(report.contains("\"" + thread.group(1) + "\" virtual"), report);
        assertTrue(report.contains("StallRoom$Member.hang"), report);
        // The stuck connection's output as loomchat holds it: the reflection still finds its fields.
        assertTrue(report.contains("its output: queue: "), report);
        assertTrue(report.contains("kernel: "), report);
        Matcher dump = Pattern.compile("thread dump: (\\S+)").matcher(report);
        assertTrue(dump.find(), report);
        Path file = Path.of(dump.group(1));
        assertTrue(Files.readString(file).contains("\"" + thread.group(1) + "\""), file.toString());
        Files.delete(file);  // the dumps kept under target/stall-hunt/ are those of real stalls
    }
}
