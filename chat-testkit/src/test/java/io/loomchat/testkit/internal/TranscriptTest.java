package io.loomchat.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscriptTest {

    @Test
    void everyByteSurvivesEscapingAndUnescaping() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) all[i] = (byte) i;
        String escaped = Escapes.escape(all);
        assertEquals(0, escaped.chars().filter(c -> c < 0x20 || c >= 0x7f).count(), "escaped text is plain ASCII");
        assertArrayEquals(all, Escapes.unescape(escaped));
    }

    @Test
    void controlCharactersAreEscapedTheWayTheyAreWritten() {
        assertEquals("hello\\r\\n\\t\\\\ \\x00\\xc3\\xa9", Escapes.escape("hello\r\n\t\\ \0é"));
    }

    @Test
    void linesBecomeSendExpectAndEndOfStreamSteps() {
        List<Transcript.Step> steps = Transcript.parse("""
                # a comment
                > HELO me\\r\\n

                < 250 hi\\r\\n
                >EOF
                <EOF
                """, "t");
        assertEquals(4, steps.size());
        Transcript.Step.Send send = assertInstanceOf(Transcript.Step.Send.class, steps.get(0));
        assertEquals("HELO me\\r\\n", Escapes.escape(send.data()));
        assertEquals(2, steps.get(0).line());
        Transcript.Step.Expect expect = assertInstanceOf(Transcript.Step.Expect.class, steps.get(1));
        assertEquals("250 hi\\r\\n", Escapes.escape(expect.data()));
        assertEquals(4, steps.get(1).line());
        assertInstanceOf(Transcript.Step.Shutdown.class, steps.get(2));
        assertInstanceOf(Transcript.Step.ExpectEof.class, steps.get(3));
    }

    @Test
    void consecutiveExpectLinesAreOneStepButSendLinesStaySeparateWrites() {
        List<Transcript.Step> steps = Transcript.parse("> a\n> b\n< one\\r\\n\n< two\\r\\n\n", "t");
        assertEquals(3, steps.size());
        assertEquals("one\\r\\ntwo\\r\\n", Escapes.escape(((Transcript.Step.Expect) steps.get(2)).data()));
        assertEquals(3, steps.get(2).line());
    }

    @Test
    void trailingSpacesAreDataButAWindowsLineEndingIsNot() {
        List<Transcript.Step> steps = Transcript.parse("> a \r\n< b\r\n", "t");
        assertEquals("a ", new String(((Transcript.Step.Send) steps.get(0)).data(), StandardCharsets.UTF_8));
        assertEquals("b", new String(((Transcript.Step.Expect) steps.get(1)).data(), StandardCharsets.UTF_8));
    }

    @Test
    void aLineInNoKnownFormIsRejectedWithItsNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transcript.parse("> ok\nhello\n", "echo.txt"));
        assertEquals("echo.txt line 2: expected \"> data\", \"< data\", \">EOF\", \"<EOF\", \"# comment\" or a blank "
                + "line: hello", e.getMessage());
    }

    @Test
    void anUnknownEscapeIsRejectedWithItsColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transcript.parse("\n> a\\qb\n", "t"));
        assertEquals("t line 2: unknown escape at column 2 (use \\r, \\n, \\t, \\\\ or \\xHH): a\\qb", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Escapes.unescape("\\x4"));
        assertThrows(IllegalArgumentException.class, () -> Escapes.unescape("\\xzz"));
    }

    @Test
    void aLogRendersAsATranscriptThatParsesBackToTheSameBytes() {
        TranscriptLog log = new TranscriptLog();
        byte[] sent = "one\r\ntwo\r\n".getBytes(StandardCharsets.UTF_8);
        log.sent(sent);
        byte[] received = "one\r\ntw".getBytes(StandardCharsets.UTF_8);
        log.received(received, received.length);
        log.received("o\r\n".getBytes(StandardCharsets.UTF_8), 3);
        log.shutdown();
        log.eof();
        String rendered = log.render();
        assertEquals("> one\\r\\ntwo\\r\\n\n< one\\r\\n\n< two\\r\\n\n>EOF\n<EOF\n", rendered);
        List<Transcript.Step> steps = Transcript.parse(rendered, "rendered");
        assertArrayEquals(sent, ((Transcript.Step.Send) steps.get(0)).data());
        assertEquals("one\\r\\ntwo\\r\\n", Escapes.escape(((Transcript.Step.Expect) steps.get(1)).data()));
    }
}
