package io.loomchat.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomchat.server.ProxyHeader;
import io.loomchat.server.ProxyProtocol;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The PROXY protocol header parser on good headers, every truncation of them, and hostile bytes. */
class ProxyHeaderParserTest {
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private static ProxyHeaderParser.Result parse(byte[] bytes) throws ProxyHeaderParser.Malformed {
        return ProxyHeaderParser.parse(Arrays.copyOf(bytes, ProxyProtocol.MAX_V2_HEADER), bytes.length);
    }

    private static ProxyHeaderParser.Parsed parsed(byte[] bytes) throws ProxyHeaderParser.Malformed {
        return assertInstanceOf(ProxyHeaderParser.Parsed.class, parse(bytes));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String malformed(String text) {
        return assertThrows(ProxyHeaderParser.Malformed.class, () -> parse(ascii(text))).getMessage();
    }

    /** Every proper prefix of a whole header needs more bytes, then the whole parses: a header may trickle in. */
    private static void assertTrickles(byte[] header) throws ProxyHeaderParser.Malformed {
        for (int i = 0; i < header.length; i++) {
            assertInstanceOf(ProxyHeaderParser.NeedMore.class, parse(Arrays.copyOf(header, i)), "prefix of " + i);
        }
        assertEquals(header.length, parsed(header).length());
    }

    @Test
    void version1Tcp4WithTheProtocolsBytesAfterIt() throws Exception {
        byte[] bytes = ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\nPING\r\n");
        ProxyHeaderParser.Parsed parsed = parsed(bytes);
        assertEquals(bytes.length - 6, parsed.length());
        assertEquals(new InetSocketAddress("192.0.2.7", 56324), parsed.header().source());
        assertEquals(new InetSocketAddress("198.51.100.1", 443), parsed.header().destination());
        assertEquals(1, parsed.header().version());
        assertTrickles(ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n"));
    }

    @Test
    void version1Tcp6AtTheLongestAllowed() throws Exception {
        String address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] tcp6 = ascii("PROXY TCP6 " + address + " " + address + " 65535 65535\r\n");
        assertEquals(new InetSocketAddress(address, 65535), parsed(tcp6).header().source());
        assertTrickles(tcp6);
        byte[] longest = ascii("PROXY UNKNOWN " + address + " " + address + " 65535 65535\r\n");
        assertEquals(ProxyHeaderParser.MAX_V1, longest.length);
        assertTrickles(longest);
        assertEquals(new InetSocketAddress("::1", 0),
                parsed(ascii("PROXY TCP6 ::1 ::1 0 7000\r\n")).header().source());
    }

    @Test
    void version1UnknownCarriesNoAddresses() throws Exception {
        for (String line : new String[] {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff:: ffff:: 1 2\r\n"}) {
            ProxyHeaderParser.Parsed parsed = parsed(ascii(line));
            assertNull(parsed.header().source());
            assertNull(parsed.header().destination());
            assertEquals(line.length(), parsed.length());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",                // LF alone
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",               // CR alone
        "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",             // two spaces
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",             // trailing space
        "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",                // a field short
        "PROXY TCP4 256.2.3.4 5.6.7.8 1 2\r\n",            // octet over 255
        "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",                // three octets
        "PROXY TCP4 localhost 5.6.7.8 1 2\r\n",            // a name: never looked up
        "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",                  // IPv6 in TCP4
        "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",                  // IPv4 in TCP6
        "PROXY TCP6 ::1 ::g 1 2\r\n",                      // not hex
        "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",          // port over 65535
        "PROXY TCP4 1.2.3.4 5.6.7.8 0443 2\r\n",           // leading zero
        "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",             // sign
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999999999\r\n",    // long number
        "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",              // not a stream protocol
        "PROXY \r\n",                                      // no protocol
        "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n",              // lower case
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\u0000\r\n",        // a NUL
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\u00ff\r\n",        // not ASCII
    })
    void version1BreakingTheSpecIsMalformed(String line) {
        assertTrue(malformed(line).startsWith("version 1 header: "));
    }

    @Test
    void version1WithoutCrlfWithin107BytesIsMalformedNotAWaitForMore() {
        String tooLong = "PROXY UNKNOWN " + "x".repeat(200);
        for (int length = 106; length <= tooLong.length(); length++) {
            String text = tooLong.substring(0, length);
            assertTrue(malformed(text).contains("no CRLF within 107 bytes"), text);
        }
        String address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        assertTrue(malformed("PROXY UNKNOWN " + address + " " + address + " 65535 655350\r\n").contains("no CRLF"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PING\r\n", "GET / HTTP/1.1\r\n", "PROX\r\n", "PROXYTCP4", "\r\n\r\nx", "\u0016\u0003\u0001", "p"})
    void otherFirstBytesAreTheProtocolsOwn(String text) throws Exception {
        assertInstanceOf(ProxyHeaderParser.NotProxy.class, parse(ascii(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "P", "PROXY", "\r", "\r\n\r\n\u0000\r\nQUI"})
    void aStartOfASignatureWaitsForMore(String text) throws Exception {
        assertInstanceOf(ProxyHeaderParser.NeedMore.class, parse(ascii(text)));
    }

    /** A version 2 header: signature, version and command, family and transport, then the rest. */
    private static byte[] v2(int versionCommand, int familyTransport, byte[]... parts) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (byte[] part : parts) rest.writeBytes(part);
        ByteBuffer header = ByteBuffer.allocate(16 + rest.size());
        header.put(SIGNATURE).put((byte) versionCommand).put((byte) familyTransport).putShort((short) rest.size());
        header.put(rest.toByteArray());
        return header.array();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) bytes[i] = (byte) values[i];
        return bytes;
    }

    private static byte[] tlv(int type, String value) {
        byte[] text = ascii(value);
        return ByteBuffer.allocate(3 + text.length).put((byte) type).putShort((short) text.length).put(text).array();
    }

    private static final byte[] IPV4 = bytes(192, 0, 2, 7, 198, 51, 100, 1, 0xDC, 0x04, 0x01, 0xBB);

    @Test
    void version2Ipv4WithExtensions() throws Exception {
        byte[] header = v2(0x21, 0x11, IPV4, tlv(ProxyHeader.AUTHORITY, "chat.example.com"), tlv(0x04, ""),
                tlv(ProxyHeader.UNIQUE_ID, "abc"));
        ProxyHeaderParser.Parsed parsed = parsed(header);
        assertEquals(new InetSocketAddress("192.0.2.7", 56324), parsed.header().source());
        assertEquals(new InetSocketAddress("198.51.100.1", 443), parsed.header().destination());
        assertEquals("chat.example.com", parsed.header().tlv(ProxyHeader.AUTHORITY).orElseThrow().text());
        assertEquals("abc", parsed.header().tlv(ProxyHeader.UNIQUE_ID).orElseThrow().text());
        assertEquals(3, parsed.header().tlvs().size());
        assertTrickles(header);
        byte[] withData = Arrays.copyOf(header, header.length + 4);
        assertEquals(header.length, parsed(withData).length());
    }

    @Test
    void version2Ipv6AndUnix() throws Exception {
        byte[] six = new byte[36];
        six[15] = 1;     // ::1
        six[31] = 2;     // ::2
        six[32] = 0x1F;  // port 8000
        six[33] = 0x40;
        six[35] = 80;
        ProxyHeader header = parsed(v2(0x21, 0x21, six)).header();
        assertEquals(new InetSocketAddress("::1", 8000), header.source());
        assertEquals(new InetSocketAddress("::2", 80), header.destination());
        byte[] unix = new byte[216];
        System.arraycopy(ascii("/run/a.sock"), 0, unix, 0, 11);
        System.arraycopy(ascii("/run/b.sock"), 0, unix, 108, 11);
        assertEquals(UnixDomainSocketAddress.of("/run/a.sock"), parsed(v2(0x21, 0x31, unix)).header().source());
    }

    @Test
    void version2LocalAndUnspecifiedKeepTheConnectionsOwnAddresses() throws Exception {
        for (byte[] header : new byte[][] {v2(0x20, 0x00), v2(0x20, 0x11, IPV4), v2(0x21, 0x00, bytes(1, 2, 3))}) {
            ProxyHeaderParser.Parsed parsed = parsed(header);
            assertNull(parsed.header().source());
            assertEquals(header.length, parsed.length());
        }
    }

    @Test
    void version2BreakingTheSpecIsMalformed() {
        record Case(byte[] header, String reason) {
        }
        for (Case c : new Case[] {
            new Case(v2(0x11, 0x11, IPV4), "version 1"),
            new Case(v2(0x22, 0x11, IPV4), "unknown command 2"),
            new Case(v2(0x21, 0x41, IPV4), "unknown address family 4"),
            new Case(v2(0x21, 0x13, IPV4), "unknown transport 3"),
            new Case(v2(0x21, 0x12, IPV4), "not a stream"),
            new Case(v2(0x21, 0x11, Arrays.copyOf(IPV4, 11)), "address block shorter than 12"),
            new Case(v2(0x21, 0x21, IPV4), "address block shorter than 36"),
            new Case(v2(0x21, 0x11, IPV4, bytes(1, 0)), "truncated extension"),
            new Case(v2(0x21, 0x11, IPV4, bytes(2, 0, 5, 'a')), "overruns"),
        }) {
            String message = assertThrows(ProxyHeaderParser.Malformed.class, () -> parse(c.header())).getMessage();
            assertTrue(message.contains(c.reason()), message);
        }
    }

    @Test
    void version2OversizedIsMalformedAsSoonAsItsLengthArrives() {
        byte[] start = Arrays.copyOf(v2(0x21, 0x11, IPV4), 16);
        start[14] = (byte) 0xFF;
        start[15] = (byte) 0xFF;
        String message = assertThrows(ProxyHeaderParser.Malformed.class, () -> parse(start)).getMessage();
        assertEquals("version 2 header: 65551 bytes, over 4096", message);
    }

    /**
     * Random bytes after each kind of start: the parser answers NeedMore, NotProxy, a header within the bytes
     * given, or Malformed; it never throws anything else, and never waits for more than a header's bound.
     */
    @Test
    void hostileBytesNeverBreakTheParser() {
        Random random = new Random(15);
        byte[][] starts = {new byte[0], ascii("PROXY "), ascii("PROXY TCP4 "), ascii("PROXY TCP6 "), SIGNATURE,
            Arrays.copyOf(v2(0x21, 0x11, IPV4), 14), Arrays.copyOf(v2(0x21, 0x21, IPV4), 14)};
        for (int round = 0; round < 20_000; round++) {
            byte[] start = starts[round % starts.length];
            int length = start.length + random.nextInt(round % 3 == 0 ? 300 : 40);
            byte[] bytes = Arrays.copyOf(start, length);
            for (int i = start.length; i < length; i++) {
                // Mostly printable text, and the characters that matter, so the v1 paths are reached.
                bytes[i] = switch (random.nextInt(6)) {
                    case 0 -> (byte) random.nextInt(256);
                    case 1 -> (byte) " \r\n:.".charAt(random.nextInt(5));
                    default -> (byte) "0123456789abcdefTCPUNKOW".charAt(random.nextInt(24));
                };
            }
            try {
                ProxyHeaderParser.Result result = parse(bytes);
                if (result instanceof ProxyHeaderParser.Parsed parsed) {
                    assertTrue(parsed.length() <= length, "a header longer than its bytes");
                } else if (result instanceof ProxyHeaderParser.NeedMore && length >= ProxyHeaderParser.MAX_V1
                        && bytes[0] == 'P') {
                    fail("waits for more than 107 bytes of a version 1 header: " + Escaped.of(bytes));
                }
            } catch (ProxyHeaderParser.Malformed expected) {
                assertTrue(expected.getMessage().startsWith("version "), expected.getMessage());
            } catch (RuntimeException e) {
                fail("parser threw " + e + " on " + Escaped.of(bytes), e);
            }
        }
    }

    private static final class Escaped {
        static String of(byte[] bytes) {
            StringBuilder text = new StringBuilder();
            for (byte b : bytes) text.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : "\\x%02x".formatted(b));
            return text.toString();
        }
    }

    @Test
    void trustedNetworks() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertTrue(ten.contains(address("10.200.3.4")));
        assertTrue(!ten.contains(address("11.0.0.1")));
        assertTrue(!ten.contains(address("::1")));
        assertTrue(Cidr.parse("::1").contains(address("::1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(address("203.0.113.9")));
        assertTrue(Cidr.parse("192.0.2.128/25").contains(address("192.0.2.200")));
        assertTrue(!Cidr.parse("192.0.2.128/25").contains(address("192.0.2.100")));
        for (String bad : new String[] {"localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/", "1.2.3.4/x", "::ffff:1.2.3.4"}) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
        assertArrayEquals(new byte[] {127, 0, 0, 0}, Cidr.LOOPBACK.get(0).network());
    }

    private static java.net.InetAddress address(String literal) {
        return new java.net.InetSocketAddress(literal, 0).getAddress();
    }
}
