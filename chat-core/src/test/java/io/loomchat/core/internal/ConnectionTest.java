package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.CapturedLog;
import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import io.loomchat.core.CloseReason;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lifecycle over a transport that half-closes like a socket, driven from inside the session's callbacks. */
@Timeout(10)
class ConnectionTest {
    private static final byte[] END = new byte[0];

    /** Input fed by the test; shutdownInput ends it at once, as a socket's does. */
    static final class Input extends InputStream {
        final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            byte[] chunk;
            try {
                chunk = chunks.poll(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            if (chunk == null) throw new java.io.IOException("no input within 5 s");
            if (chunk == END) {
                chunks.add(END);
                return -1;
            }
            System.arraycopy(chunk, 0, b, off, chunk.length);  // the test feeds chunks under the buffer size
            return chunk.length;
        }
    }

    /**
     * A transport over {@code in} whose input ends when it is shut or closed, as a socket's does, and when the
     * output is shut, as with a peer that closes once it has read everything.
     */
    private static Transport endingInput(Input in) {
        return new Transport() {
            @Override
            public void shutdownInput() {
                in.chunks.add(END);
            }

            @Override
            public void shutdownOutput() {
                in.chunks.add(END);
            }

            @Override
            public void close() {
                in.chunks.add(END);
            }
        };
    }

    @Test
    void aShutdownDuringADispatchStillAnswersTheRequestsAlreadyRead() throws Exception {
        Input in = new Input();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transport transport = endingInput(in);
        List<String> calls = new CopyOnWriteArrayList<>();
        Connection[] self = new Connection[1];
        Connection connection = Connection.create(new Endpoint(in, out, transport, null), ChatOptions.defaults(),
                channel -> new ChatSession() {
                    {
                        channel.setTerminator("\n");
                    }

                    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                    @Override
                    public void collectIncomingData(byte[] data) {
                        line.writeBytes(data);
                    }

                    @Override
                    public void foundTerminator() {
                        String request = line.toString(StandardCharsets.US_ASCII);
                        line.reset();
                        calls.add(request);
                        if (request.equals("A")) self[0].shutdown();  // the server closes while A is answered
                        channel.push("ok " + request + "\n");
                    }

                    @Override
                    public void serverClosing(ChatChannel channel) {
                        calls.add("serverClosing");
                        channel.push("bye\n");
                    }
                });
        self[0] = connection;
        connection.start();
        in.chunks.add("A\nB\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(connection.awaitClosed(Duration.ofSeconds(5)));
        assertEquals(List.of("A", "B", "serverClosing"), calls, "B was read with A: it is answered");
        assertEquals("ok A\nok B\nbye\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(CloseReason.SHUTDOWN, connection.closeReason());
    }

    @Test
    void aBrokenLimitStillWritesTheRepliesPushedBeforeIt() throws Exception {
        Input in = new Input();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transport transport = endingInput(in);
        CountDownLatch handled = new CountDownLatch(1);
        Connection connection = Connection.create(new Endpoint(in, out, transport, null),
                ChatOptions.defaults().withMaxMessageSize(16), channel -> new ChatSession() {
                    {
                        channel.setTerminator("\n");
                    }

                    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                    @Override
                    public void collectIncomingData(byte[] data) {
                        line.writeBytes(data);
                    }

                    @Override
                    public void foundTerminator() {
                        byte[] reply = ("ok " + line.toString(StandardCharsets.US_ASCII) + "\n").getBytes(
                                StandardCharsets.US_ASCII);
                        line.reset();
                        // The reply is still queued when the limit breaks: its producer waits for the error hook.
                        boolean[] given = new boolean[1];
                        channel.pushWithProducer(() -> {
                            if (given[0]) return null;
                            if (!handled.await(5, TimeUnit.SECONDS)) throw new IllegalStateException("no error");
                            given[0] = true;
                            return reply;
                        });
                    }

                    @Override
                    public void handleError(ChatChannel channel, Throwable error) {
                        ChatSession.super.handleError(channel, error);  // the default under test
                        handled.countDown();
                    }
                });
        try (CapturedLog limits = CapturedLog.of("io.loomchat.limits")) {
            connection.start();
            in.chunks.add(("A\n" + "x".repeat(40)).getBytes(StandardCharsets.US_ASCII));
            assertTrue(connection.awaitClosed(Duration.ofSeconds(5)));
            assertEquals("ok A\n", out.toString(StandardCharsets.US_ASCII), "the reply to the request before");
            assertEquals(CloseReason.MESSAGE_TOO_LONG, connection.closeReason());
            assertEquals(1, limits.warnings().size(), () -> limits.warnings().toString());
            assertTrue(limits.warnings().get(0).contains("maxMessageSize (16) exceeded"), limits.warnings().get(0));
        }
    }

    /** A ChatLimitException the session's producer throws is the session's error: logged, and closed at once. */
    @Test
    void aLimitExceptionThrownByTheSessionIsTheSessionsError() throws Exception {
        Input in = new Input();
        Connection connection = Connection.create(new Endpoint(in, new ByteArrayOutputStream(), endingInput(in), null),
                ChatOptions.defaults(), channel -> new ChatSession() {
                    {
                        channel.setTerminator("\n");
                    }

                    @Override
                    public void collectIncomingData(byte[] data) {
                    }

                    @Override
                    public void foundTerminator() {
                        channel.pushWithProducer(() -> {
                            throw new io.loomchat.core.ChatLimitException("quota", 1, null, "the session's own");
                        });
                    }
                });
        try (CapturedLog session = CapturedLog.of("io.loomchat.session");
             CapturedLog limits = CapturedLog.of("io.loomchat.limits")) {
            connection.start();
            in.chunks.add("A\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(connection.awaitClosed(Duration.ofSeconds(5)));
            assertEquals(CloseReason.SESSION_ERROR, connection.closeReason());
            assertEquals(1, session.warnings().size(), () -> session.warnings().toString());
            assertTrue(session.warnings().get(0).contains("closing after an error in the session"),
                    session.warnings().get(0));
            assertEquals(List.of(), limits.warnings(), "not the peer's limit");
        }
    }
}
