package io.loomchat.examples.pg;

import static io.loomchat.examples.pg.PgMessages.fatal;
import static io.loomchat.examples.pg.PgMessages.parameterStatus;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatLimitException;
import io.loomchat.core.ChatProtocolException;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;

/**
 * A server that speaks PostgreSQL's frontend/backend protocol 3.0, enough for {@code psql}, {@code pgbench} and
 * the JDBC driver: no password ("trust"), TLS only when given a context ({@link #offeringTls}; an SSLRequest is
 * otherwise answered {@code N}), and the simple query
 * protocol over a tiny SQL engine ({@code SELECT 1}, {@code SELECT 'text'}, {@code SELECT now()}, and key/value
 * tables; see the guide). Anything else gets an ErrorResponse with PostgreSQL's SQLSTATE.
 *
 * <p>loomchat's terminators do all the framing. The startup packet is an int32 length that counts itself, then
 * the body: {@code Terminator.lengthField(4).adjustment(-4)}. Every later message is a type byte, then such a
 * length, then the body: {@code lengthField(4).offset(1).adjustment(-4)}, set in {@code foundTerminator} once the
 * startup packet is read. The session never reads a length itself.
 *
 * <p>A connection's states, only forward except for the SSL answer:
 * <pre>
 *   STARTUP --SSLRequest, with a TLS context and not yet over TLS: 'S', then startTls--> STARTUP (over TLS)
 *   STARTUP --SSLRequest otherwise, or GSSENCRequest: 'N'--> STARTUP
 *   STARTUP --StartupMessage 3.0: AuthenticationOk, ParameterStatus..., BackendKeyData, ReadyForQuery--> READY
 *   STARTUP --CancelRequest: nothing--> closed      (queries end at once: there is nothing to cancel)
 *   READY   --Query: rows or an error per statement, ReadyForQuery--> READY
 *   READY   --Parse/Bind/Describe/Execute/Close/Flush: an error, then skip to Sync--> READY
 *   READY   --Sync: ReadyForQuery--> READY
 *   READY   --Terminate--> closed
 *   any     --a frame too long or too short, an unknown protocol or message type: FATAL--> closed
 * </pre>
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(5433, new PgServer());
 * }
 */
public final class PgServer implements SessionFactory {
    /** The longest startup packet accepted, as in PostgreSQL (MAX_STARTUP_PACKET_LENGTH). */
    public static final int MAX_STARTUP_PACKET = 10_000;
    /** The longest message accepted after startup, type byte and length included. */
    public static final int MAX_MESSAGE = 1 << 20;

    // The startup packet: an int32 length that counts itself, then the body (the session gets the body only).
    private static final Terminator STARTUP = Terminator.lengthField(4).adjustment(-4).keepHeader(false)
            .maxFrameSize(MAX_STARTUP_PACKET);
    // Every later message: a type byte, an int32 length that counts itself but not the type, then the body. The
    // header is kept, for the type byte.
    private static final Terminator MESSAGE = Terminator.lengthField(4).offset(1).adjustment(-4)
            .maxFrameSize(MAX_MESSAGE);
    private static final int HEADER = 5;

    /** The protocol codes of the startup packet (PostgreSQL's pqcomm.h). */
    private static final int PROTOCOL_3_0 = 3 << 16;
    private static final int CANCEL_REQUEST = 1234 << 16 | 5678;
    private static final int SSL_REQUEST = 1234 << 16 | 5679;
    private static final int GSSENC_REQUEST = 1234 << 16 | 5680;
    private static final byte[] NO = {'N'};
    private static final byte[] YES = {'S'};

    private final TinySql sql;
    private final RandomGenerator random;
    private final AtomicInteger processIds = new AtomicInteger();
    /** TLS for clients that ask with an SSLRequest ({@code psql "sslmode=require"}), or null: answered 'N'. */
    private volatile SSLContext tls;

    /** Creates a server with its own empty tables, the system clock, and secure cancel keys. */
    public PgServer() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    /**
     * Creates a server with its own empty tables, whose {@code now()} reads {@code clock} and whose cancel keys
     * come from {@code random} (a seeded one makes every reply repeatable, for tests).
     */
    public PgServer(Clock clock, RandomGenerator random) {
        this.sql = new TinySql(Objects.requireNonNull(clock, "clock"));
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Answers an SSLRequest with {@code S} and switches the connection to TLS from {@code context}
     * ({@code ChatChannel.startTls}), as PostgreSQL does with {@code ssl = on}; the client then sends its
     * StartupMessage over TLS. Without it, an SSLRequest is answered {@code N}. Set it before the server listens.
     *
     * @param context the certificate to offer
     * @return this server
     */
    public PgServer offeringTls(SSLContext context) {
        this.tls = Objects.requireNonNull(context, "context");
        return this;
    }

    @Override
    public ChatSession create(ChatChannel channel) {
        return new Client(channel, processIds.incrementAndGet(), random.nextInt());
    }

    /** One connection; see the states above. */
    private final class Client implements ChatSession {
        private final ChatChannel channel;
        private final int processId;
        private final int secret;
        /** The frame being read, when it comes in more than one piece; most come whole, in {@link #piece}. */
        private final ByteArrayOutputStream frame = new ByteArrayOutputStream();
        private byte[] piece;
        private boolean started;
        /** After an extended-protocol message: everything up to the next Sync is skipped, as PostgreSQL does. */
        private boolean skippingToSync;
        private boolean closing;
        private boolean overTls;

        Client(ChatChannel channel, int processId, int secret) {
            this.channel = channel;
            this.processId = processId;
            this.secret = secret;
            channel.setTerminator(STARTUP);
        }

        @Override
        public void collectIncomingData(byte[] data) {
            if (closing) return;
            if (piece == null && frame.size() == 0) {
                piece = data;
                return;
            }
            if (piece != null) frame.writeBytes(piece);
            piece = null;
            frame.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            if (closing) return;
            byte[] bytes = piece != null ? piece : frame.toByteArray();
            piece = null;
            frame.reset();
            if (started) {
                message((char) (bytes[0] & 0xff), Arrays.copyOfRange(bytes, HEADER, bytes.length));
            } else {
                startup(bytes);
            }
        }

        private void startup(byte[] body) {
            int code = body.length < 4 ? -1 : (body[0] & 0xff) << 24 | (body[1] & 0xff) << 16
                    | (body[2] & 0xff) << 8 | body[3] & 0xff;
            switch (code) {
                case SSL_REQUEST -> {
                    SSLContext context = tls;
                    if (context == null || overTls) {
                        channel.push(NO); // no TLS here: the client goes on in plain text
                    } else {
                        // The 'S' goes out in plain text, then the handshake; the client waits for the 'S' before
                        // it starts TLS, so nothing is pipelined behind the request.
                        channel.push(YES);
                        channel.startTls(context);
                        overTls = true;
                    }
                }
                case GSSENC_REQUEST -> channel.push(NO);
                case CANCEL_REQUEST -> closeAfter(new byte[0]); // PostgreSQL never answers one either
                case PROTOCOL_3_0 -> {
                    Map<String, String> parameters = parameters(body);
                    if (parameters == null) {
                        closeAfter(fatal(PgMessages.PROTOCOL_VIOLATION, "invalid startup packet layout"));
                    } else if (!parameters.containsKey("user")) {
                        closeAfter(fatal(PgMessages.INVALID_AUTHORIZATION, "no PostgreSQL user name specified in "
                                + "startup packet"));
                    } else {
                        greet(parameters);
                    }
                }
                default -> closeAfter(code == -1
                        ? fatal(PgMessages.PROTOCOL_VIOLATION, "invalid length of startup packet")
                        : fatal(PgMessages.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
                                + (code >>> 16) + "." + (code & 0xffff) + ": this server supports 3.0"));
            }
        }

        private void greet(Map<String, String> parameters) {
            started = true;
            channel.setTerminator(MESSAGE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(PgMessages.authenticationOk());
            out.writeBytes(parameterStatus("server_version", "16.0"));
            out.writeBytes(parameterStatus("server_encoding", "UTF8"));
            out.writeBytes(parameterStatus("client_encoding", "UTF8"));
            out.writeBytes(parameterStatus("DateStyle", "ISO, MDY"));
            out.writeBytes(parameterStatus("TimeZone", "UTC"));
            out.writeBytes(parameterStatus("integer_datetimes", "on"));
            out.writeBytes(parameterStatus("standard_conforming_strings", "on"));
            out.writeBytes(parameterStatus("application_name", parameters.getOrDefault("application_name", "")));
            out.writeBytes(PgMessages.backendKeyData(processId, secret));
            out.writeBytes(PgMessages.readyForQuery());
            channel.push(out.toByteArray());
        }

        private void message(char type, byte[] body) {
            if (skippingToSync && type != 'S' && type != 'X') return;
            switch (type) {
                case 'Q' -> query(body);
                case 'S' -> {
                    skippingToSync = false;
                    channel.push(PgMessages.readyForQuery());
                }
                case 'X' -> closeAfter(new byte[0]);
                case 'P', 'B', 'D', 'E', 'C', 'H' -> {
                    skippingToSync = true;
                    channel.push(PgMessages.error(PgMessages.FEATURE_NOT_SUPPORTED, "the extended query protocol "
                            + "is not supported by this example: use simple queries (the JDBC driver's "
                            + "preferQueryMode=simple)"));
                }
                case 'F' -> channel.push(concat(PgMessages.error(PgMessages.FEATURE_NOT_SUPPORTED,
                        "function calls are not supported by this example"), PgMessages.readyForQuery()));
                case 'd', 'c', 'f' -> {
                    // CopyData, CopyDone, CopyFail outside a COPY: ignored, as PostgreSQL does
                }
                default -> closeAfter(fatal(PgMessages.PROTOCOL_VIOLATION, "invalid frontend message type "
                        + (int) type));
            }
        }

        private void query(byte[] body) {
            int end = indexOfZero(body, 0);
            if (end != body.length - 1) {
                closeAfter(fatal(PgMessages.PROTOCOL_VIOLATION, "invalid string in message"));
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            var statements = TinySql.statements(new String(body, 0, end, StandardCharsets.UTF_8));
            if (statements.isEmpty()) out.writeBytes(PgMessages.emptyQueryResponse());
            for (String statement : statements) {
                TinySql.Outcome outcome = sql.execute(statement);
                outcome.messages().forEach(out::writeBytes);
                if (outcome.failed()) break; // the rest of a failed query string is not run, as in PostgreSQL
            }
            out.writeBytes(PgMessages.readyForQuery());
            channel.push(out.toByteArray());
        }

        /** Pushes the last reply, closes once it is written, and ignores the input that follows. */
        private void closeAfter(byte[] reply) {
            closing = true;
            channel.setTerminator(Terminator.none());
            if (reply.length > 0) channel.push(reply);
            channel.closeWhenDone();
        }

        /**
         * Answers a frame that the terminator refused, too long or with a length under 4, with a FATAL error; the
         * connection then closes. Anything else is a bug here: logged and closed as by default.
         */
        @Override
        public void handleError(ChatChannel errorChannel, Throwable error) {
            if (error instanceof ChatLimitException || error instanceof ChatProtocolException) {
                closing = true;
                String what = started ? "message" : "startup packet";
                errorChannel.push(error instanceof ChatLimitException
                        ? fatal(PgMessages.PROGRAM_LIMIT_EXCEEDED, what + " too long: the limit is "
                                + (started ? MAX_MESSAGE : MAX_STARTUP_PACKET) + " bytes")
                        : fatal(PgMessages.PROTOCOL_VIOLATION, "invalid length of " + what));
            } else {
                ChatSession.super.handleError(errorChannel, error);
            }
        }
    }

    /**
     * Returns the startup packet's parameters (after the protocol code): names and values as zero-terminated
     * strings, then a zero byte; or null if the packet is not laid out so.
     */
    private static Map<String, String> parameters(byte[] body) {
        Map<String, String> parameters = new HashMap<>();
        int at = 4;
        while (at < body.length && body[at] != 0) {
            int nameEnd = indexOfZero(body, at);
            int valueEnd = nameEnd < 0 ? -1 : indexOfZero(body, nameEnd + 1);
            if (valueEnd < 0) return null;
            parameters.put(new String(body, at, nameEnd - at, StandardCharsets.UTF_8),
                    new String(body, nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
            at = valueEnd + 1;
        }
        return at == body.length - 1 ? parameters : null;
    }

    private static int indexOfZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) return i;
        }
        return -1;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
