package io.loomchat.examples.migration;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code http_request_handler} of Python's asynchat documentation, ported name for name: the head is read up
 * to the blank line with a delimiter terminator; a POST body with a count terminator of its Content-Length; then
 * the terminator is set to none, so that extra bytes a client sends are ignored, and the request is handled.
 *
 * <p>The documentation's example stops at {@code handle_request()}; here it answers one HTTP/1.0 response, the
 * request line and the body's size (and the body, for a POST), and closes the connection once it is written.
 */
public final class HttpRequestHandler implements ChatSession {
    /** The largest POST body read; a larger one gets 413. */
    public static final long MAX_BODY = 1 << 20;
    private static final String BAD_REQUEST = "400 Bad Request";
    private static final String TOO_LARGE = "413 Content Too Large";

    private final ChatChannel channel;
    private final ByteArrayOutputStream ibuffer = new ByteArrayOutputStream();
    private boolean readingHeaders = true;
    private boolean handling;
    private String op;
    private String path;
    private final Map<String, String> headers = new HashMap<>();
    private byte[] cgiData = new byte[0];

    /** Starts a session that reads a request head. */
    public HttpRequestHandler(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\r\n\r\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        // "Buffer the data"
        if (!handling) ibuffer.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        if (readingHeaders) {
            readingHeaders = false;
            parseHeaders(ibuffer.toString(ISO_8859_1));
            ibuffer.reset();
            if (op.equals("POST")) {
                long clen = contentLength();
                if (clen < 0 || clen > MAX_BODY) {
                    reply(clen < 0 ? BAD_REQUEST : TOO_LARGE, new byte[0]);
                } else if (clen == 0) {
                    handleRequest(); // a count of 0 means "none"
                } else {
                    channel.setTerminator(clen);
                }
            } else {
                handling = true;
                channel.setTerminator(Terminator.none());
                handleRequest();
            }
        } else if (!handling) {
            // browsers sometimes over-send
            channel.setTerminator(Terminator.none());
            cgiData = ibuffer.toByteArray();
            handling = true;
            ibuffer.reset();
            handleRequest();
        }
    }

    /** Reads the request line and the header fields; an unreadable head becomes a request for 400. */
    private void parseHeaders(String head) {
        String[] lines = head.split("\r\n");
        String[] request = lines[0].split(" ");
        op = request.length == 3 ? request[0].toUpperCase(Locale.ROOT) : "";
        path = request.length == 3 ? request[1] : "";
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
    }

    /** Returns the Content-Length, 0 if there is none, or -1 if it is not a number. */
    private long contentLength() {
        String value = headers.getOrDefault("content-length", "0");
        return value.matches("[0-9]{1,18}") ? Long.parseLong(value) : -1;
    }

    private void handleRequest() {
        handling = true;
        channel.setTerminator(Terminator.none());
        if (op.isEmpty()) {
            reply(BAD_REQUEST, new byte[0]);
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes((op + " " + path + ", " + cgiData.length + " bytes\n").getBytes(UTF_8));
        body.writeBytes(cgiData);
        reply("200 OK", body.toByteArray());
    }

    /** Pushes an HTTP/1.0 response and closes the connection once it is written. */
    private void reply(String status, byte[] body) {
        handling = true;
        channel.setTerminator(Terminator.none());
        channel.push("HTTP/1.0 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n");
        channel.push(body);
        channel.closeWhenDone();
    }
}
