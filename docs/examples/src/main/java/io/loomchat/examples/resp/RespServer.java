package io.loomchat.examples.resp;

import static io.loomchat.examples.resp.Resp.ascii;
import static io.loomchat.examples.resp.Resp.bulk;
import static io.loomchat.examples.resp.Resp.error;
import static io.loomchat.examples.resp.Resp.integer;
import static io.loomchat.examples.resp.Resp.lengthLine;
import static io.loomchat.examples.resp.Resp.parseInteger;
import static io.loomchat.examples.resp.Resp.parseLength;
import static io.loomchat.examples.resp.Resp.text;
import static io.loomchat.examples.resp.Resp.words;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A key-value store that speaks the Redis protocol (RESP2), enough for {@code redis-cli} and
 * {@code redis-benchmark}: PING, ECHO, SET (with EX or PX), GET, DEL, EXISTS, INCR, MGET, MSET, CONFIG GET
 * (always an empty array) and QUIT.
 *
 * <p>Requests are inline ({@code SET k v\r\n}, split at spaces) or arrays of bulk strings
 * ({@code *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n}). Lines (inline commands and the {@code *N} and {@code $len}
 * headers) are read with the line terminator {@code \n}, dropping the {@code \r} before it; each bulk string with a
 * count terminator of {@code len}, then its CRLF with a count of 2, so values are binary-safe. Input is taken in
 * place ({@link ChatSession#collectIncomingData(byte[], int, int)}): a line or a CRLF costs no array of its own. A malformed request
 * gets {@code -ERR Protocol error: ...} and the connection closes, as in Redis.
 *
 * <p>Keys and values are bytes. Expired keys are removed when next touched; commands on several keys (MSET, DEL)
 * are not atomic as a whole.
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(6380, new RespServer());
 * }
 */
public final class RespServer implements SessionFactory {
    /** The longest bulk string accepted, in bytes. */
    public static final int MAX_BULK_LENGTH = 64 * 1024 * 1024;
    /** The most elements accepted in one request array. */
    public static final int MAX_ARRAY_LENGTH = 1024 * 1024;

    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] PONG = ascii("+PONG\r\n");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] NO_REPLY = new byte[0];
    /** Bulk replies up to this size are assembled in one array: a copy of a few bytes costs less than two pushes. */
    private static final int SMALL_VALUE = 1024;
    private static final Terminator LINE = Terminator.delimiter("\n");

    /** A stored value and when it expires (epoch milliseconds; 0 for never). */
    private record Value(byte[] bytes, long expiresAt) {
        boolean live() {
            return expiresAt == 0 || System.currentTimeMillis() < expiresAt;
        }
    }

    /** The store. Keys are Latin-1 strings: one char per byte, so any bytes make a key, and equals() works. */
    private final ConcurrentMap<String, Value> store = new ConcurrentHashMap<>();

    @Override
    public ChatSession create(ChatChannel channel) {
        return new Client(channel);
    }

    /** One connection: reads requests and pushes a reply to each, in order. */
    private final class Client implements ChatSession {
        private final ChatChannel channel;
        /** The current line, copied out of the channel's buffer: lines are parsed in place, never kept. */
        private byte[] line = new byte[64];
        private int lineLength;
        private final List<byte[]> arguments = new ArrayList<>();
        /** Bulk strings still to read for the current array; 0 when the next line starts a request. */
        private int pending;
        /** What the count terminator is reading: a bulk string's value, then the CRLF after it; or lines. */
        private Reading reading = Reading.LINES;
        /** The bulk string being read: its length, and the array it is gathered in (the collected one if whole). */
        private int bulkLength;
        private byte[] bulk;
        private int filled;
        private boolean badCrlf;
        private boolean closing;

        Client(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator(LINE);
        }

        /** Input in the channel's buffer: lines and CRLFs are read in place, values copied into their array. */
        @Override
        public void collectIncomingData(byte[] buffer, int offset, int length) {
            if (closing) return;
            switch (reading) {
                case LINES -> {
                    // The line terminator's maxMessageSize (64 KiB by default) bounds a line.
                    if (lineLength + length > line.length) {
                        line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
                    }
                    System.arraycopy(buffer, offset, line, lineLength, length);
                    lineLength += length;
                }
                case VALUE -> {
                    if (filled == 0 && length == bulkLength) {
                        bulk = Arrays.copyOfRange(buffer, offset, offset + length);  // whole: no zeroing first
                    } else {
                        if (bulk == null) bulk = new byte[bulkLength];
                        System.arraycopy(buffer, offset, bulk, filled, length);
                    }
                    filled += length;
                }
                case CRLF -> {
                    for (int i = offset; i < offset + length; i++) badCrlf |= buffer[i] != CRLF[filled++];
                }
            }
        }

        /** Input read into an array of its own (a long value, whole): the session may keep it, without a copy. */
        @Override
        public void collectIncomingData(byte[] data) {
            if (reading == Reading.VALUE && filled == 0 && data.length == bulkLength && !closing) {
                bulk = data;
                filled = data.length;
            } else {
                collectIncomingData(data, 0, data.length);
            }
        }

        @Override
        public void foundTerminator() {
            if (closing) return;
            switch (reading) {
                case VALUE -> startCrlf();
                case CRLF -> endBulk();
                case LINES -> {
                    int end = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                    lineLength = 0;
                    if (pending > 0) {
                        startBulk(line, end);
                    } else if (end > 0 && line[0] == '*') {
                        startArray(line, end);
                    } else {
                        // An inline command, as typed into nc: split at spaces (Redis also handles quotes; this does
                        // not).
                        List<byte[]> words = words(line, end);
                        if (!words.isEmpty()) execute(words);
                    }
                }
            }
        }

        private void startArray(byte[] header, int end) {
            int count = parseLength(header, end, MAX_ARRAY_LENGTH);
            if (count < -1) {
                protocolError("invalid multibulk length");
            } else {
                pending = Math.max(count, 0); // *0 and *-1 are empty requests, ignored as Redis does
            }
        }

        private void startBulk(byte[] header, int end) {
            if (end == 0 || header[0] != '$') {
                protocolError("expected '$', got '" + (end == 0 ? "" : (char) (header[0] & 0xff)) + "'");
                return;
            }
            int length = parseLength(header, end, MAX_BULK_LENGTH);
            if (length < 0) {
                protocolError("invalid bulk length");
                return;
            }
            bulkLength = length;
            bulk = null;
            filled = 0;
            if (length == 0) {
                startCrlf(); // a count of 0 would collect everything, as in asynchat: go straight to the CRLF
            } else {
                reading = Reading.VALUE;
                channel.setTerminator(length);
            }
        }

        /** The value is read: read the two bytes after it, which must be CRLF, with a count of its own. */
        private void startCrlf() {
            if (bulk == null) bulk = new byte[0];
            filled = 0;
            badCrlf = false;
            reading = Reading.CRLF;
            channel.setTerminator(CRLF.length);
        }

        private void endBulk() {
            if (badCrlf) {
                protocolError("bulk string not followed by CRLF");
                return;
            }
            arguments.add(bulk);
            bulk = null;
            reading = Reading.LINES;
            channel.setTerminator(LINE);
            if (--pending == 0) {
                execute(arguments);
                arguments.clear(); // execute keeps the values, never the list
            }
        }

        private void protocolError(String message) {
            closeAfter(ascii("-ERR Protocol error: " + message + "\r\n"));
        }

        /** Pushes the last reply, closes once it is written, and ignores the input that follows. */
        private void closeAfter(byte[] reply) {
            closing = true;
            channel.setTerminator(Terminator.none());
            channel.push(reply);
            channel.closeWhenDone();
        }

        private void execute(List<byte[]> args) {
            Command command = Command.named(args.get(0));
            int n = args.size();
            byte[] reply = command == null ? unknown(args) : switch (command) {
                case GET -> n == 2 ? pushBulk(get(text(args.get(1)))) : arityError(command);
                case SET -> n >= 3 ? set(args) : arityError(command);
                case PING -> n == 1 ? PONG : n == 2 ? pushBulk(args.get(1)) : arityError(command);
                case ECHO -> n == 2 ? pushBulk(args.get(1)) : arityError(command);
                case DEL -> n >= 2 ? integer(delete(args)) : arityError(command);
                case EXISTS -> n >= 2 ? integer(args.stream().skip(1).filter(k -> get(text(k)) != null).count())
                        : arityError(command);
                case INCR -> n == 2 ? incr(text(args.get(1))) : arityError(command);
                case MGET -> n >= 2 ? mget(args) : arityError(command);
                case MSET -> n >= 3 && n % 2 == 1 ? mset(args) : arityError(command);
                case CONFIG -> n >= 3 && text(args.get(1)).equalsIgnoreCase("get") ? ascii("*0\r\n")
                        : error("unsupported CONFIG subcommand or wrong number of arguments");
                case QUIT -> null;
            };
            if (reply == null) {
                closeAfter(OK);
            } else if (reply.length > 0) {
                channel.push(reply);
            }
        }

        /**
         * Returns a small bulk string reply whole (one push); pushes a large one in three pieces, header, value
         * and CRLF, and returns an empty reply. The value goes out from its own array, not copied: values are
         * never changed once read or stored (SET and INCR store new arrays).
         */
        private byte[] pushBulk(byte[] data) {
            if (data == null || data.length <= SMALL_VALUE) return bulk(data);
            channel.push(lengthLine('$', data.length));
            channel.pushWithoutCopy(data);
            channel.push(CRLF);
            return NO_REPLY;
        }
    }

    /** What a connection's terminator is reading. */
    private enum Reading { LINES, VALUE, CRLF }

    private byte[] get(String key) {
        Value value = store.get(key);
        if (value == null) return null;
        if (value.live()) return value.bytes();
        store.remove(key, value);
        return null;
    }

    private byte[] set(List<byte[]> args) {
        long expiresAt = 0;
        for (int i = 3; i < args.size(); i += 2) {
            String option = text(args.get(i)).toUpperCase(Locale.ROOT);
            if (expiresAt != 0 || i + 1 >= args.size() || !(option.equals("EX") || option.equals("PX"))) {
                return error("syntax error");
            }
            long amount;
            try {
                amount = Long.parseLong(text(args.get(i + 1)));
            } catch (NumberFormatException e) {
                return error("value is not an integer or out of range");
            }
            if (amount <= 0 || amount > 1_000_000_000_000L) return error("invalid expire time in 'set' command");
            expiresAt = System.currentTimeMillis() + (option.equals("EX") ? amount * 1000 : amount);
        }
        store.put(text(args.get(1)), new Value(args.get(2), expiresAt));
        return OK;
    }

    private long delete(List<byte[]> args) {
        return args.stream().skip(1).map(Resp::text).filter(k -> get(k) != null && store.remove(k) != null)
                .count();
    }

    private byte[] incr(String key) {
        try {
            Value updated = store.compute(key, (k, old) -> {
                boolean live = old != null && old.live();
                long current = live ? parseInteger(old.bytes()) : 0;
                return new Value(ascii(Long.toString(Math.addExact(current, 1))), live ? old.expiresAt() : 0);
            });
            return integer(Long.parseLong(text(updated.bytes())));
        } catch (NumberFormatException e) {
            return error("value is not an integer or out of range");
        } catch (ArithmeticException e) {
            return error("increment or decrement would overflow");
        }
    }

    private byte[] mget(List<byte[]> args) {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        reply.writeBytes(ascii("*" + (args.size() - 1) + "\r\n"));
        args.stream().skip(1).forEach(k -> reply.writeBytes(bulk(get(text(k)))));
        return reply.toByteArray();
    }

    private byte[] mset(List<byte[]> args) {
        for (int i = 1; i < args.size(); i += 2) store.put(text(args.get(i)), new Value(args.get(i + 1), 0));
        return OK;
    }

    private static byte[] unknown(List<byte[]> args) {
        StringBuilder message = new StringBuilder("unknown command '").append(text(args.get(0)))
                .append("', with args beginning with: ");
        args.stream().skip(1).limit(16).forEach(a -> message.append('\'').append(text(a)).append("' "));
        return error(message.toString());
    }

    private static byte[] arityError(Command command) {
        return error("wrong number of arguments for '" + command.name().toLowerCase(Locale.ROOT) + "' command");
    }
}
