package io.loomchat.core;

import static io.loomchat.core.Runs.ascii;
import static io.loomchat.core.Runs.sameUnderEveryChunking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Chunkings.Chunking;
import io.loomchat.core.RecordingSession.OnError;
import io.loomchat.core.RecordingSession.Transcript;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Strict "\r\n" lines: lines as a "\r\n" delimiter gives them, and a bare "\r" or "\n" refused. */
@Timeout(60)
class StrictLinesTest {
    private static final String LIMITS_LOG = "io.loomchat.limits";

    private static List<Chunking> every(String input) {
        List<Chunking> chunkings = new ArrayList<>(Chunkings.of(ascii(input)));
        chunkings.addAll(Chunkings.twoWaySplits(ascii(input)));
        return chunkings;
    }

    @Test
    void linesEndAtCrlfAsUnderTheDelimiterCrlf() throws Exception {
        String input = "EHLO x\r\n\r\nDATA\r\n.\r\ntail\r";

        Transcript strict = sameUnderEveryChunking(every(input), ChatOptions.defaults(),
                channel -> RecordingSession.with(channel, Terminator.strictLines()));
        Transcript classic = Runs.runToEnd(List.of(ascii(input)), ChatOptions.defaults(),
                channel -> RecordingSession.with(channel, Terminator.delimiter("\r\n"))).session().transcript();

        assertEquals(new Transcript(List.of("EHLO x", "", "DATA", "."), "tail"), strict);
        assertEquals(classic, strict);
    }

    /** SMTP smuggling's end of data, "\n.\n" or "\r.\r" or "\n.\r\n": refused, never taken for a line end. */
    @Test
    void aBareLineEndIsAProtocolErrorAfterTheLineBeforeIt() throws Exception {
        // the input, the messages found before the bare line end, and the part of its line collected
        List<List<String>> cases = List.of(
                List.of("body\n.\nMAIL FROM:<x>\r\n", "", "body"),
                List.of("body\r.\rMAIL\r\n", "", "body"),
                List.of("body\r\n\n.\r\nMAIL\r\n", "body", ""),
                List.of("a\r\nb\r\r\n", "a", "b"));
        for (List<String> c : cases) {
            List<String> messages = c.get(1).isEmpty() ? List.of() : List.of(c.get(1));
            for (Chunking chunking : every(c.get(0))) {
                try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
                    RecordingSession session = Runs.runToEnd(chunking.chunks(), ChatOptions.defaults(),
                            channel -> RecordingSession.with(channel, Terminator.strictLines())
                                    .onError(OnError.DEFAULT)).session();

                    ChatProtocolException error = assertInstanceOf(ChatProtocolException.class,
                            session.errors().get(0), chunking.toString());
                    assertEquals(ChatProtocolException.BARE_LINE_END, error.rule());
                    assertEquals(CloseReason.PROTOCOL_ERROR, error.reason());
                    assertEquals(1, session.errors().size());
                    assertEquals(messages, session.messages(), chunking.toString());
                    assertEquals(c.get(2), session.tail(), chunking + ": the line up to the bare line end");
                    assertEquals(1, log.warnings().size(), chunking.toString());
                    assertTrue(log.warnings().get(0).contains("bareLineEnd"), log.warnings().get(0));
                }
            }
        }
    }

    @Test
    void theErrorHookMayAnswerBeforeTheConnectionCloses() throws Exception {
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
            Runs.Live live = Runs.start(ScriptedInput.of(List.of(ascii("HELO\r\nbad\nline\r\n"))),
                    ChatOptions.defaults(), channel -> new RecordingSession(channel) {
                        {
                            channel.setTerminator(Terminator.strictLines());
                        }

                        @Override
                        public void handleError(ChatChannel ch, Throwable error) {
                            super.handleError(ch, error);
                            if (error instanceof ChatProtocolException) ch.push("500 5.5.2 bare line end\r\n");
                        }
                    }.onError(OnError.KEEP_OPEN));
            live.awaitClosed();

            assertEquals("500 5.5.2 bare line end\r\n", new String(live.out().bytes(), StandardCharsets.US_ASCII));
            assertEquals(List.of("HELO"), live.session().messages());
            assertEquals(1, log.warnings().size());
        }
    }

    /** The contract rule: where the reader would block, everything read is collected but a "\r" at the end. */
    @Test
    void atEveryReadThatWouldBlockAllButAFinalCrHasBeenCollected() throws Exception {
        String input = "one\r\n\r\ntwo words\r\nthree\r";
        List<String> crlf = List.of("\r\n");
        SeenAtBlocks.assertAtEveryBlock(ascii(input),
                channel -> RecordingSession.with(channel, Terminator.strictLines()),
                n -> DelimitersTest.naiveCollected(input.substring(0, n), crlf));
    }

    @Test
    void maxMessageSizeAppliesAndLastDelimiterIsCrlf() throws Exception {
        ChatOptions max4 = ChatOptions.defaults().withMaxMessageSize(4);
        try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
            DelimitersTest.Which session = (DelimitersTest.Which) Runs.runToEnd(List.of(ascii("abcd\r\nabcde\r\n")),
                    max4, channel -> new DelimitersTest.Which(channel, Terminator.strictLines())).session();

            assertEquals(List.of("abcd"), session.messages());
            assertEquals(List.of("\\r\\n"), session.ends);
            assertEquals("maxMessageSize", assertInstanceOf(ChatLimitException.class, session.errors().get(0)).limit());
            assertEquals(1, log.warnings().size());
        }
    }
}
