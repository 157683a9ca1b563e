package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.examples.guide.Int16Strings;
import io.loomchat.examples.guide.LenientLines;
import io.loomchat.examples.guide.StrictLineEcho;
import io.loomchat.testkit.Fragmentation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The concepts page's examples of the terminators beyond asynchat, each conversation replayed under every
 * fragmentation of the client's bytes (whole, every split point, random, one byte per read; in memory and over
 * TCP).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TerminatorExamplesTest {
    private static final String LIMITS_LOG = "io.loomchat.limits";

    /** A frame of Int16Strings: a 2-byte big-endian length, then the text. */
    private static byte[] frame(String text) {
        byte[] body = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body.length >> 8);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void int16StringsAnswersEveryFrameUnderEveryFragmentation() {
        String long300 = "x".repeat(300);
        Fragmentation.of(Int16Strings::new).replay(client -> client
                .send(frame("hello")).expect(frame("HELLO"))
                .send(concat(frame("two"), frame(""), frame(long300)))
                .expect(concat(frame("TWO"), frame(""), frame(long300.toUpperCase())))
                .send(frame("\r\n:,")).expect(frame("\r\n:,")));
    }

    @Test
    void int16StringsClosesOnAFrameOver4KiBBeforeItsBody() {
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
            Fragmentation.of(Int16Strings::new).replay(client -> client
                    .send(frame("ok")).expect(frame("OK"))
                    .send(new byte[] {0x10, 0x00, 'a', 'b'}).expectClosed());
            assertFalse(log.warnings().isEmpty());
            assertTrue(log.warnings().stream().allMatch(w -> w.contains("maxFrameSize (4096) exceeded")),
                    () -> log.warnings().toString());
        }
    }

    @Test
    void lenientLinesAnswersEachLineWithItsOwnEnd() {
        Fragmentation.of(LenientLines::new).replay(client -> client
                .send("dos\r\n").expect("dos\r\n")
                .send("unix\nmixed\r\r\n\n").expect("unix\nmixed\r\r\n\n")
                .send("last").shutdownOutput().expectClosed());
    }

    @Test
    void strictLineEchoRefusesABareLineEndAndCloses() {
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
            Fragmentation.of(StrictLineEcho::new).replay(client -> client
                    .send("HELO x\r\n").expect("HELO x\r\n")
                    .send("DATA\r\nbody\n.\nMAIL FROM:<evil>\r\n")
                    .expect("DATA\r\n500 5.5.2 bare CR or LF in a line\r\n").expectClosed());
            assertFalse(log.warnings().isEmpty());
            assertTrue(log.warnings().stream().allMatch(w -> w.contains("bareLineEnd broken")),
                    () -> log.warnings().toString());
        }
    }
}
