package io.loomchat.server.internal;

import io.loomchat.server.ProxyHeader;
import io.loomchat.server.ProxyProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a PROXY protocol header (HAProxy's spec) from the first bytes of a connection, as far as they have
 * arrived: {@link #parse} says whether they are a header, the start of one, or none, and never reads past the
 * header's end. Every byte is checked; anything the spec does not allow is a {@link Malformed} with a reason.
 */
public final class ProxyHeaderParser {
    /** Version 1's longest header, "PROXY" to CRLF included. */
    public static final int MAX_V1 = 107;
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_FIXED = 16;

    private ProxyHeaderParser() {
    }

    /** What the first bytes are. */
    public sealed interface Result {
    }

    /** The start of a header, or too few bytes to tell: more are needed. */
    public record NeedMore() implements Result {
    }

    /** Not a header: the bytes are the protocol's own. */
    public record NotProxy() implements Result {
    }

    /**
     * A whole header.
     *
     * @param header what it says
     * @param length its length in bytes: the protocol's own bytes start after it
     */
    public record Parsed(ProxyHeader header, int length) implements Result {
    }

    /** A header that breaks the spec: the connection is closed. */
    public static final class Malformed extends Exception {
        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Parses the first {@code length} bytes of a connection.
     *
     * @param bytes the bytes read so far, from the connection's first
     * @param length how many of them there are
     * @return a header, the need for more bytes, or not a header
     * @throws Malformed if the bytes start like a header but break the spec
     */
    public static Result parse(byte[] bytes, int length) throws Malformed {
        if (length == 0) return new NeedMore();
        if (startsWith(bytes, length, V1_PREFIX)) return v1(bytes, length);
        if (startsWith(bytes, length, V2_SIGNATURE)) return v2(bytes, length);
        return isPrefix(bytes, length, V1_PREFIX) || isPrefix(bytes, length, V2_SIGNATURE)
                ? new NeedMore() : new NotProxy();
    }

    private static boolean isPrefix(byte[] bytes, int length, byte[] signature) {
        return length < signature.length && Arrays.equals(bytes, 0, length, signature, 0, length);
    }

    private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
        return length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Result v1(byte[] bytes, int length) throws Malformed {
        int end = -1;
        for (int i = V1_PREFIX.length; i < Math.min(length, MAX_V1 - 1); i++) {  // CR at 105 at most
            byte b = bytes[i];
            if (b == '\r') {
                if (i + 1 == length) return new NeedMore();
                if (bytes[i + 1] != '\n') throw new Malformed("version 1 header: CR without LF");
                end = i;
                break;
            }
            if (b < 0x20 || b > 0x7E) throw new Malformed("version 1 header: byte 0x%02x at %d".formatted(b & 0xFF, i));
        }
        if (end < 0) {
            if (length >= MAX_V1 - 1) throw new Malformed("version 1 header: no CRLF within " + MAX_V1 + " bytes");
            return new NeedMore();
        }
        String line = new String(bytes, 0, end, StandardCharsets.US_ASCII);
        String[] words = line.split(" ", -1);
        int total = end + 2;
        if (words[1].equals("UNKNOWN")) return new Parsed(new ProxyHeader(1, null, null, List.of()), total);
        if (!words[1].equals("TCP4") && !words[1].equals("TCP6")) {
            throw new Malformed("version 1 header: unknown protocol " + quote(words[1]));
        }
        if (words.length != 6) throw new Malformed("version 1 header: not 6 single-spaced fields: " + quote(line));
        boolean four = words[1].equals("TCP4");
        InetAddress source = v1Address(words[2], four);
        InetAddress destination = v1Address(words[3], four);
        return new Parsed(new ProxyHeader(1, new InetSocketAddress(source, v1Port(words[4])),
                new InetSocketAddress(destination, v1Port(words[5])), List.of()), total);
    }

    private static InetAddress v1Address(String text, boolean four) throws Malformed {
        byte[] bytes = Cidr.literal(text);
        if (bytes == null || (bytes.length == 4) != four) {
            throw new Malformed("version 1 header: not an " + (four ? "IPv4" : "IPv6") + " address: " + quote(text));
        }
        return address(bytes);
    }

    private static int v1Port(String text) throws Malformed {
        if (!text.matches("0|[1-9][0-9]{0,4}") || Integer.parseInt(text) > 65535) {
            throw new Malformed("version 1 header: not a port: " + quote(text));
        }
        return Integer.parseInt(text);
    }

    private static Result v2(byte[] bytes, int length) throws Malformed {
        if (length < V2_FIXED) return new NeedMore();
        int version = (bytes[12] & 0xF0) >> 4;
        int command = bytes[12] & 0x0F;
        if (version != 2) throw new Malformed("version 2 header: version " + version);
        if (command > 1) throw new Malformed("version 2 header: unknown command " + command);
        int family = (bytes[13] & 0xF0) >> 4;
        int transport = bytes[13] & 0x0F;
        int total = V2_FIXED + ((bytes[14] & 0xFF) << 8 | bytes[15] & 0xFF);
        if (total > ProxyProtocol.MAX_V2_HEADER) {
            throw new Malformed("version 2 header: " + total + " bytes, over " + ProxyProtocol.MAX_V2_HEADER);
        }
        if (family > 3) throw new Malformed("version 2 header: unknown address family " + family);
        if (transport > 2) throw new Malformed("version 2 header: unknown transport " + transport);
        if (length < total) return new NeedMore();
        if (command == 0 || family == 0) {
            // LOCAL (a balancer's health check) or no addresses: the connection's own endpoints stand.
            return new Parsed(new ProxyHeader(2, null, null, List.of()), total);
        }
        if (transport != 1) throw new Malformed("version 2 header: not a stream (transport " + transport + ")");
        int addresses = switch (family) {
            case 1 -> 12;
            case 2 -> 36;
            default -> 216;
        };
        int at = V2_FIXED;
        if (total - at < addresses) throw new Malformed("version 2 header: address block shorter than " + addresses);
        SocketAddress source;
        SocketAddress destination;
        if (family == 3) {
            source = unixAddress(bytes, at);
            destination = unixAddress(bytes, at + 108);
        } else {
            int size = family == 1 ? 4 : 16;
            InetAddress from = address(Arrays.copyOfRange(bytes, at, at + size));
            InetAddress to = address(Arrays.copyOfRange(bytes, at + size, at + 2 * size));
            source = new InetSocketAddress(from, u16(bytes, at + 2 * size));
            destination = new InetSocketAddress(to, u16(bytes, at + 2 * size + 2));
        }
        return new Parsed(new ProxyHeader(2, source, destination, tlvs(bytes, at + addresses, total)), total);
    }

    private static List<ProxyHeader.Tlv> tlvs(byte[] bytes, int from, int to) throws Malformed {
        List<ProxyHeader.Tlv> tlvs = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < 3) throw new Malformed("version 2 header: truncated extension at byte " + at);
            int type = bytes[at] & 0xFF;
            int size = u16(bytes, at + 1);
            if (to - at - 3 < size) throw new Malformed("version 2 header: extension " + type + " overruns the header");
            tlvs.add(new ProxyHeader.Tlv(type, Arrays.copyOfRange(bytes, at + 3, at + 3 + size)));
            at += 3 + size;
        }
        return tlvs;
    }

    private static SocketAddress unixAddress(byte[] bytes, int at) throws Malformed {
        int end = at;
        while (end < at + 108 && bytes[end] != 0) end++;
        try {
            return UnixDomainSocketAddress.of(new String(bytes, at, end - at, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new Malformed("version 2 header: not a socket path");
        }
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);  // 4 or 16 bytes always make an address
        }
    }

    /** The text in quotes, cut to 40 characters: a log line never carries a whole hostile header. */
    private static String quote(String text) {
        return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
    }
}
