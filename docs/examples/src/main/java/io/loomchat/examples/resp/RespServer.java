package io.loomchat.examples.resp;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * A key-value store that speaks the Redis protocol (RESP2), enough for {@code redis-cli} and
 * {@code redis-benchmark}: PING, ECHO, SET (with EX or PX), GET, DEL, EXISTS, INCR, MGET, MSET, CONFIG GET
 * (always an empty array) and QUIT.
 *
 * <p>Requests are inline ({@code SET k v\r\n}, split at spaces) or arrays of bulk strings
 * ({@code *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n}). Lines (inline commands and the {@code *N} and {@code $len}
 * headers) are read with the line terminator {@code \n}, dropping the {@code \r} before it; each bulk string with a
 * count terminator of {@code len + 2}, so values are binary-safe. A malformed request gets
 * {@code -ERR Protocol error: ...} and the connection closes, as in Redis.
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
    private static final byte[] NIL = ascii("$-1\r\n");
    private static final Pattern SPACES = Pattern.compile("[ \t]+");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

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
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final List<byte[]> arguments = new ArrayList<>();
        /** Bulk strings still to read for the current array; 0 when the next line starts a request. */
        private int pending;
        /** The bulk string being read under a count terminator, with its trailing CRLF; null when reading lines. */
        private byte[] bulk;
        private int bulkLength;
        private boolean closing;

        Client(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            if (closing) return;
            if (bulk == null) {
                line.writeBytes(data);
            } else {
                System.arraycopy(data, 0, bulk, bulkLength, data.length); // the count terminator bounds data
                bulkLength += data.length;
            }
        }

        @Override
        public void foundTerminator() {
            if (closing) return;
            if (bulk != null) {
                endBulk();
                return;
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
            if (pending > 0) {
                startBulk(text);
            } else if (text.startsWith("*")) {
                startArray(text);
            } else if (!text.isBlank()) {
                // An inline command, as typed into nc: split at spaces (Redis also handles quotes; this does not).
                execute(Arrays.stream(SPACES.split(text.strip())).map(RespServer::ascii).toList());
            }
        }

        private void startArray(String header) {
            int count = parseLength(header.substring(1), MAX_ARRAY_LENGTH);
            if (count < -1) {
                protocolError("invalid multibulk length");
            } else {
                pending = Math.max(count, 0); // *0 and *-1 are empty requests, ignored as Redis does
            }
        }

        private void startBulk(String header) {
            int length = header.startsWith("$") ? parseLength(header.substring(1), MAX_BULK_LENGTH) : -2;
            if (!header.startsWith("$")) {
                protocolError("expected '$', got '" + (header.isEmpty() ? "" : header.substring(0, 1)) + "'");
            } else if (length < 0) {
                protocolError("invalid bulk length");
            } else {
                bulk = new byte[length + 2];
                bulkLength = 0;
                channel.setTerminator(length + 2L);
            }
        }

        private void endBulk() {
            byte[] data = bulk;
            bulk = null;
            channel.setTerminator("\n");
            if (data[data.length - 2] != '\r' || data[data.length - 1] != '\n') {
                protocolError("bulk string not followed by CRLF");
                return;
            }
            arguments.add(Arrays.copyOf(data, data.length - 2));
            if (--pending == 0) {
                execute(List.copyOf(arguments));
                arguments.clear();
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
            String command = text(args.get(0)).toLowerCase(Locale.ROOT);
            int n = args.size();
            byte[] reply = switch (command) {
                case "ping" -> n == 1 ? PONG : n == 2 ? bulk(args.get(1)) : arityError(command);
                case "echo" -> n == 2 ? bulk(args.get(1)) : arityError(command);
                case "get" -> n == 2 ? bulk(get(text(args.get(1)))) : arityError(command);
                case "set" -> n >= 3 ? set(args) : arityError(command);
                case "del" -> n >= 2 ? integer(delete(args)) : arityError(command);
                case "exists" -> n >= 2 ? integer(args.stream().skip(1).filter(k -> get(text(k)) != null).count())
                        : arityError(command);
                case "incr" -> n == 2 ? incr(text(args.get(1))) : arityError(command);
                case "mget" -> n >= 2 ? mget(args) : arityError(command);
                case "mset" -> n >= 3 && n % 2 == 1 ? mset(args) : arityError(command);
                case "config" -> n >= 3 && text(args.get(1)).equalsIgnoreCase("get") ? ascii("*0\r\n")
                        : error("unsupported CONFIG subcommand or wrong number of arguments");
                case "quit" -> null;
                default -> unknown(args);
            };
            if (reply == null) {
                closeAfter(OK);
            } else {
                channel.push(reply);
            }
        }
    }

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
        return args.stream().skip(1).map(RespServer::text).filter(k -> get(k) != null && store.remove(k) != null)
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

    private static byte[] arityError(String command) {
        return error("wrong number of arguments for '" + command + "' command");
    }

    /** Returns a Redis integer of the decimal {@code bytes}; Redis allows no sign but '-', no spaces. */
    private static long parseInteger(byte[] bytes) {
        String digits = text(bytes);
        if (!INTEGER.matcher(digits).matches()) throw new NumberFormatException(digits);
        return Long.parseLong(digits);
    }

    /** Returns the length in a {@code *N} or {@code $N} header, or -2 if it is not a number in -1..max. */
    private static int parseLength(String digits, int max) {
        if (digits.equals("-1")) return -1;
        if (digits.isEmpty() || digits.length() > 10) return -2;
        long length = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') return -2;
            length = length * 10 + (c - '0');
        }
        return length <= max ? (int) length : -2;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bulk(byte[] data) {
        if (data == null) return NIL;
        byte[] header = ascii("$" + data.length + "\r\n");
        byte[] reply = Arrays.copyOf(header, header.length + data.length + 2);
        System.arraycopy(data, 0, reply, header.length, data.length);
        reply[reply.length - 2] = '\r';
        reply[reply.length - 1] = '\n';
        return reply;
    }

    private static byte[] integer(long value) {
        return ascii(":" + value + "\r\n");
    }

    private static byte[] error(String message) {
        return ascii("-ERR " + message + "\r\n");
    }
}
