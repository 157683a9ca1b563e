package io.loomchat.examples.http;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A small HTTP/1.1 server: {@code GET /} returns a page, {@code POST /echo} returns the request body.
 *
 * <p>The head is read with the delimiter {@code \r\n\r\n}; a body with a count terminator of its
 * {@code Content-Length}. Connections are kept alive (HTTP/1.1, or HTTP/1.0 with {@code Connection: keep-alive})
 * and pipelined requests are answered in order, since one session reads them one after another. Bad requests
 * get 400, a body over the limit 413 (before it is sent, so {@code Expect: 100-continue} clients never send
 * it), a head over the limit 431, a {@code Transfer-Encoding} 501; each of these closes the connection.
 * {@link #withMetrics} adds {@code GET /metrics}, a text page such as Prometheus scrapes.
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(8080, new HttpServer());
 * }
 */
public final class HttpServer implements SessionFactory {
    /** The default limit of a request head (request line and headers), in bytes. */
    public static final int DEFAULT_MAX_HEAD_BYTES = 8 * 1024;
    /** The default limit of a request body, in bytes. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private static final byte[] PAGE = """
            <!doctype html>
            <html><head><title>loomchat</title></head>
            <body><h1>Hello from loomchat</h1><p>POST a body to /echo and it comes back.</p></body></html>
            """.getBytes(StandardCharsets.UTF_8);

    private static final Pattern CRLF = Pattern.compile("\r\n");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9]\\.[0-9]");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern LENGTH = Pattern.compile("[0-9]{0,18}");

    private final int maxHeadBytes;
    private final int maxBodyBytes;
    /** What the Date header tells: the system clock, or a fixed one in tests that compare replies byte for byte. */
    private final Clock clock;
    /** The text of {@code GET /metrics}, or null for no such page. */
    private final Supplier<String> metrics;

    /** Creates the server's session factory with the default limits. */
    public HttpServer() {
        this(DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * Creates the server's session factory with other limits.
     *
     * @throws IllegalArgumentException if a limit is less than 1
     */
    public HttpServer(int maxHeadBytes, int maxBodyBytes) {
        this(maxHeadBytes, maxBodyBytes, Clock.systemUTC());
    }

    /**
     * Creates the server's session factory with other limits, and a clock for the Date header.
     *
     * @throws IllegalArgumentException if a limit is less than 1
     */
    public HttpServer(int maxHeadBytes, int maxBodyBytes, Clock clock) {
        this(maxHeadBytes, maxBodyBytes, clock, null);
    }

    private HttpServer(int maxHeadBytes, int maxBodyBytes, Clock clock, Supplier<String> metrics) {
        if (maxHeadBytes < 1) throw new IllegalArgumentException("maxHeadBytes < 1: " + maxHeadBytes);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes < 1: " + maxBodyBytes);
        this.maxHeadBytes = maxHeadBytes;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = metrics;
    }

    /**
     * Returns this server with a {@code GET /metrics} page whose text {@code scrape} gives at each request, in
     * Prometheus's text format: {@code ./demo} passes its {@code PrometheusMeterRegistry::scrape}.
     *
     * @param scrape the page's text, asked for at each request
     * @return a factory of sessions that also serve {@code /metrics}
     */
    public HttpServer withMetrics(Supplier<String> scrape) {
        return new HttpServer(maxHeadBytes, maxBodyBytes, clock, Objects.requireNonNull(scrape, "scrape"));
    }

    @Override
    public ChatSession create(ChatChannel channel) {
        return new Exchange(channel);
    }

    /** A parsed request head; header names are lower case. */
    private record Request(String method, String target, String version, Map<String, String> headers) {
        String header(String name) {
            return headers.getOrDefault(name, "");
        }

        boolean keepAlive() {
            String connection = header("connection").toLowerCase(Locale.ROOT);
            return version.equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
        }

        /** Returns the request line and headers, or null if they are malformed. */
        static Request parse(String head) {
            String[] lines = CRLF.split(head, -1);
            String[] start = lines[0].split(" ", -1);
            if (start.length != 3 || !METHOD.matcher(start[0]).matches() || !start[1].startsWith("/")
                    || !VERSION.matcher(start[2]).matches()) return null;
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                // No space before the colon, no obsolete line folding, no header twice (RFC 9112 5.1, 5.2, 6.3).
                if (colon < 1 || !TOKEN.matcher(lines[i].substring(0, colon)).matches()) return null;
                String name = lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
                if (headers.put(name, lines[i].substring(colon + 1).strip()) != null && name.equals("content-length")) {
                    return null;
                }
            }
            return new Request(start[0], start[1], start[2], headers);
        }
    }

    /** One connection's requests, read and answered in order. */
    private final class Exchange implements ChatSession {
        private final ChatChannel channel;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        /** The request whose body is being read; null while reading a head. */
        private Request request;
        /** True once the connection is closing: input is ignored. */
        private boolean closing;

        Exchange(ChatChannel channel) {
            this.channel = channel;
            channel.setTerminator("\r\n\r\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            if (closing) return;
            buffer.writeBytes(data);
            if (request == null && buffer.size() > maxHeadBytes) fail(431, "Request Header Fields Too Large");
        }

        @Override
        public void foundTerminator() {
            if (closing) return;
            byte[] bytes = buffer.toByteArray();
            buffer.reset();
            if (request == null) {
                head(new String(bytes, StandardCharsets.ISO_8859_1));
            } else {
                Request complete = request;
                request = null;
                channel.setTerminator("\r\n\r\n");
                respond(complete, bytes);
            }
        }

        private void head(String text) {
            int start = 0;
            while (text.startsWith("\r\n", start)) start += 2; // RFC 9112 2.2: skip empty lines before a request
            String head = text.substring(start);
            if (head.isEmpty()) return;
            Request parsed = Request.parse(head);
            String length = parsed == null ? "" : parsed.header("content-length");
            if (parsed == null || !LENGTH.matcher(length).matches()) {
                fail(400, "Bad Request");
            } else if (!parsed.version().equals("HTTP/1.1") && !parsed.version().equals("HTTP/1.0")) {
                fail(505, "HTTP Version Not Supported");
            } else if (parsed.version().equals("HTTP/1.1") && parsed.header("host").isEmpty()) {
                fail(400, "Bad Request"); // RFC 9112 3.2: a 1.1 request without Host
            } else if (!parsed.header("transfer-encoding").isEmpty()) {
                fail(501, "Not Implemented"); // chunked bodies are not supported here
            } else if (length.isEmpty() || Long.parseLong(length) == 0) {
                respond(parsed, new byte[0]);
            } else if (Long.parseLong(length) > maxBodyBytes) {
                fail(413, "Content Too Large");
            } else {
                if (parsed.header("expect").equalsIgnoreCase("100-continue")) {
                    channel.push("HTTP/1.1 100 Continue\r\n\r\n"); // the client waits for this to send the body
                }
                request = parsed;
                channel.setTerminator(Long.parseLong(length));
            }
        }

        private void respond(Request r, byte[] body) {
            boolean keepAlive = r.keepAlive();
            switch (r.target()) {
                case "/" -> {
                    if (r.method().equals("GET") || r.method().equals("HEAD")) {
                        send(200, "OK", "text/html; charset=utf-8", PAGE, r.method().equals("HEAD"), keepAlive);
                    } else {
                        send(405, "Method Not Allowed", "text/plain", "GET or HEAD only\n", keepAlive);
                    }
                }
                case "/echo" -> {
                    if (r.method().equals("POST")) {
                        String type = r.header("content-type");
                        send(200, "OK", type.isEmpty() ? "application/octet-stream" : type, body, false, keepAlive);
                    } else {
                        send(405, "Method Not Allowed", "text/plain", "POST only\n", keepAlive);
                    }
                }
                case "/metrics" -> {
                    if (metrics == null) {
                        send(404, "Not Found", "text/plain", "no such page: /metrics\n", keepAlive);
                    } else if (r.method().equals("GET")) {
                        send(200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics.get(), keepAlive);
                    } else {
                        send(405, "Method Not Allowed", "text/plain", "GET only\n", keepAlive);
                    }
                }
                default -> send(404, "Not Found", "text/plain", "no such page: " + r.target() + "\n", keepAlive);
            }
            if (!keepAlive) close();
        }

        /** Answers with an error and closes: the rest of the input cannot be trusted to frame a request. */
        private void fail(int status, String reason) {
            send(status, reason, "text/plain", status + " " + reason + "\n", false);
            close();
        }

        private void close() {
            closing = true;
            buffer.reset();
            channel.setTerminator(Terminator.none());
            channel.closeWhenDone();
        }

        private void send(int status, String reason, String type, String text, boolean keepAlive) {
            send(status, reason, type, text.getBytes(StandardCharsets.UTF_8), false, keepAlive);
        }

        private void send(int status, String reason, String type, byte[] body, boolean headOnly, boolean keepAlive) {
            String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                    + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)) + "\r\n"
                    + "Server: loomchat-example\r\n"
                    + "Content-Type: " + type + "\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + (keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n")
                    + "\r\n";
            ByteArrayOutputStream response = new ByteArrayOutputStream(head.length() + body.length);
            response.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
            if (!headOnly) response.writeBytes(body);
            channel.push(response.toByteArray()); // one push: head and body leave in one write
        }
    }
}
