package io.loomchat.core;

import static io.loomchat.core.Runs.sameUnderEveryChunking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.Chunkings.Chunking;
import io.loomchat.core.RecordingSession.OnError;
import io.loomchat.core.RecordingSession.Transcript;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Length-prefixed frames: what the session gets, under every chunking and at every read that would block. */
@Timeout(60)
class LengthFieldTest {
    private static final String LIMITS_LOG = "io.loomchat.limits";
    /** PostgreSQL's messages: a type byte, an int32 length that counts itself. */
    private static final Terminator.LengthField PG = Terminator.lengthField(4).offset(1).adjustment(-4);

    /** Builds input: {@code frame(type, length, body)} bytes. */
    private static final class Input {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Input raw(String text) {
            bytes.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Input number(long value, int size, ByteOrder order) {
            ByteBuffer b = ByteBuffer.allocate(8).order(order);
            b.putLong(order == ByteOrder.BIG_ENDIAN ? value << (8 * (8 - size)) : value);
            bytes.write(b.array(), 0, size);
            return this;
        }

        Input pg(char type, String body) {
            bytes.write(type);
            return number(body.length() + 4, 4, ByteOrder.BIG_ENDIAN).raw(body);
        }

        byte[] get() {
            return bytes.toByteArray();
        }
    }

    private static Transcript everyChunking(byte[] input, Function<ChatChannel, RecordingSession> sessions)
            throws InterruptedException {
        List<Chunking> chunkings = new ArrayList<>(Chunkings.of(input));
        chunkings.addAll(Chunkings.twoWaySplits(input));
        return sameUnderEveryChunking(chunkings, ChatOptions.defaults(), sessions);
    }

    @Test
    void framesWithTheirHeaderReachTheSessionWholeUnderEveryChunking() throws Exception {
        byte[] input = new Input().pg('Q', "SELECT 1\0").pg('S', "").pg('X', "").raw("Q\0").get();

        Transcript transcript = everyChunking(input, channel -> RecordingSession.with(channel, PG));

        assertEquals(new Transcript(List.of("Q\\x00\\x00\\x00\\rSELECT 1\\x00", "S\\x00\\x00\\x00\\x04",
                "X\\x00\\x00\\x00\\x04"), "Q\\x00"), transcript);
    }

    @Test
    void withoutItsHeaderTheSessionGetsBodiesOnlyAndAnEmptyBodyIsAFoundTerminatorAlone() throws Exception {
        Terminator.LengthField le = Terminator.lengthField(2).littleEndian().keepHeader(false);
        byte[] input = new Input().number(3, 2, ByteOrder.LITTLE_ENDIAN).raw("abc").number(0, 2, ByteOrder.LITTLE_ENDIAN)
                .number(260, 2, ByteOrder.LITTLE_ENDIAN).raw("x".repeat(260)).get();

        Transcript transcript = everyChunking(input, channel -> RecordingSession.with(channel, le));

        assertEquals(new Transcript(List.of("abc", "", "x".repeat(260)), ""), transcript);
    }

    @Test
    void everySizeAndByteOrderReadsItsLength() throws Exception {
        for (int size : new int[] {1, 2, 4, 8}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                Terminator.LengthField frame = Terminator.lengthField(size).keepHeader(false);
                if (order == ByteOrder.LITTLE_ENDIAN) frame = frame.littleEndian();
                Terminator.LengthField f = frame;
                byte[] input = new Input().number(200, size, order).raw("y".repeat(200)).number(1, size, order)
                        .raw("z").get();

                Transcript transcript = sameUnderEveryChunking(input, channel -> RecordingSession.with(channel, f));

                assertEquals(new Transcript(List.of("y".repeat(200), "z"), ""), transcript, size + " " + order);
            }
        }
    }

    @Test
    void anAdjustmentForALengthThatCountsTheWholeFrame() throws Exception {
        // offset 2, a 1-byte length counting the whole frame: body = length - 3
        Terminator.LengthField whole = Terminator.lengthField(1).offset(2).adjustment(-3).keepHeader(false);
        byte[] input = new Input().raw("ab").number(7, 1, ByteOrder.BIG_ENDIAN).raw("body").raw("cd")
                .number(3, 1, ByteOrder.BIG_ENDIAN).get();

        Transcript transcript = sameUnderEveryChunking(input, channel -> RecordingSession.with(channel, whole));

        assertEquals(new Transcript(List.of("body", ""), ""), transcript);
        assertEquals(4 + 3, new Terminator.LengthField(4, 3, ByteOrder.BIG_ENDIAN, 0, true, 0).headerSize());
    }

    /** PostgreSQL's startup: one frame with no type byte, then typed frames, switched inside foundTerminator. */
    @Test
    void aFrameSetInFoundTerminatorAppliesAtOnceToInputAlreadyBuffered() throws Exception {
        Terminator.LengthField startup = Terminator.lengthField(4).adjustment(-4);
        byte[] input = new Input().number(8, 4, ByteOrder.BIG_ENDIAN).raw("usr\0").pg('Q', "hi").raw("END\r\ntail")
                .get();
        Function<ChatChannel, RecordingSession> sessions = channel -> new RecordingSession(channel) {
            int found;

            @Override
            void onMessage(byte[] message) {
                channel.setTerminator(switch (++found) {
                    case 1 -> PG;
                    case 2 -> Terminator.delimiter("\r\n");
                    default -> Terminator.none();
                });
            }
        };
        Function<ChatChannel, RecordingSession> first = channel -> {
            channel.setTerminator(startup);
            return sessions.apply(channel);
        };

        Transcript transcript = everyChunking(input, first);
        RecordingSession whole = Runs.runToEnd(List.of(input), ChatOptions.defaults(), first).session();

        assertEquals(new Transcript(List.of("\\x00\\x00\\x00\\x08usr\\x00", "Q\\x00\\x00\\x00\\x06hi", "END"),
                "tail"), transcript);
        assertEquals(List.of(startup, PG, Terminator.delimiter("\r\n")), whole.terminatorsAtFound(),
                "getTerminator() inside foundTerminator: the frame that ended");
    }

    /** The contract rule: where the reader would block, every byte of the frame read so far has been collected. */
    @Test
    void atEveryReadThatWouldBlockEveryByteReadHasBeenCollected() throws Exception {
        byte[] input = new Input().pg('Q', "SELECT 'a longer query'\0").pg('S', "").pg('D', "row").raw("Q\0\0").get();
        SeenAtBlocks.assertAtEveryBlock(input, channel -> RecordingSession.with(channel, PG), n -> n);
    }

    @Test
    void withoutItsHeaderEveryByteOfTheBodyReadHasBeenCollectedWhereTheReaderWouldBlock() throws Exception {
        Terminator.LengthField bodies = Terminator.lengthField(2).keepHeader(false);
        byte[] input = new Input().number(5, 2, ByteOrder.BIG_ENDIAN).raw("hello").number(0, 2, ByteOrder.BIG_ENDIAN)
                .number(3, 2, ByteOrder.BIG_ENDIAN).raw("abc").get();
        // header bytes read so far, by bytes read: the frames start at 0, 7, 9
        IntToLongFunction collected = n -> n - Math.min(n, 2) - Math.min(Math.max(n - 7, 0), 2)
                - Math.min(Math.max(n - 9, 0), 2);
        SeenAtBlocks.assertAtEveryBlock(input, channel -> RecordingSession.with(channel, bodies), collected);
    }

    @Test
    void aFrameOverMaxFrameSizeIsRefusedBeforeItsBodyWithALimitException() throws Exception {
        Terminator.LengthField small = PG.maxFrameSize(16);
        byte[] input = new Input().pg('Q', "x".repeat(11)).pg('Q', "y".repeat(12)).get();
        for (Chunking chunking : Chunkings.of(input)) {
            try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
                RecordingSession session = Runs.runToEnd(chunking.chunks(), ChatOptions.defaults(),
                        channel -> RecordingSession.with(channel, small).onError(OnError.DEFAULT)).session();

                assertEquals(List.of("Q\\x00\\x00\\x00\\x0f" + "x".repeat(11)), session.messages(), chunking.toString());
                assertEquals("Q\\x00\\x00\\x00\\x10", session.tail(), chunking + ": the header, not the body");
                ChatLimitException limit = assertInstanceOf(ChatLimitException.class, session.errors().get(0));
                assertEquals("maxFrameSize", limit.limit());
                assertEquals(16, limit.value());
                assertEquals(CloseReason.MESSAGE_TOO_LONG, limit.reason());
                assertEquals(1, session.errors().size());
                assertEquals(1, log.warnings().size(), chunking.toString());
                assertTrue(log.warnings().get(0).contains("a frame of 17 bytes"), log.warnings().get(0));
            }
        }
    }

    @Test
    void aLengthThatGivesANegativeBodyIsAProtocolError() throws Exception {
        byte[] input = new Input().raw("Q").number(3, 4, ByteOrder.BIG_ENDIAN).raw("more").get();
        byte[] huge = new Input().number(-1, 8, ByteOrder.BIG_ENDIAN).get();
        for (byte[] bytes : List.of(input, huge)) {
            Terminator t = bytes == huge ? Terminator.lengthField(8).maxFrameSize(0) : PG;
            for (Chunking chunking : Chunkings.of(bytes)) {
                try (CapturedLog log = CapturedLog.of(LIMITS_LOG)) {
                    RecordingSession session = Runs.runToEnd(chunking.chunks(), ChatOptions.defaults(),
                            channel -> RecordingSession.with(channel, t).onError(OnError.DEFAULT)).session();

                    ChatProtocolException error = assertInstanceOf(ChatProtocolException.class,
                            session.errors().get(0), chunking.toString());
                    assertEquals(ChatProtocolException.BAD_LENGTH, error.rule());
                    assertEquals(CloseReason.PROTOCOL_ERROR, error.reason());
                    assertEquals(List.of(), session.messages());
                    assertEquals(1, log.warnings().size(), chunking.toString());
                }
            }
        }
    }

    @Test
    void theDefaultsAndTheChecks() {
        Terminator.LengthField f = Terminator.lengthField(4);
        assertEquals(new Terminator.LengthField(4, 0, ByteOrder.BIG_ENDIAN, 0, true,
                Terminator.LengthField.DEFAULT_MAX_FRAME_SIZE), f);
        assertEquals(1 << 20, f.maxFrameSize());
        assertThrows(IllegalArgumentException.class, () -> Terminator.lengthField(3));
        assertThrows(IllegalArgumentException.class, () -> f.offset(-1));
        assertThrows(IllegalArgumentException.class, () -> f.maxFrameSize(-1));
    }

    @Test
    void getTerminatorReportsTheFrameAndNoDelimiterEndedIt() throws Exception {
        List<Terminator.Delimiter> last = new ArrayList<>();
        List<Terminator> terminators = new ArrayList<>();
        Runs.runToEnd(List.of(new Input().pg('S', "").get()), ChatOptions.defaults(), channel -> {
            channel.setTerminator(PG);
            return new RecordingSession(channel) {
                @Override
                void onMessage(byte[] message) {
                    last.add(channel.lastDelimiter());
                    terminators.add(channel.getTerminator());
                }
            };
        });
        assertEquals(List.of(PG), terminators);
        assertEquals(1, last.size());
        assertNull(last.get(0));
    }
}
