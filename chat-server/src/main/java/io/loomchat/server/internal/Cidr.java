package io.loomchat.server.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A network as a CIDR block, such as {@code 10.0.0.0/8} or {@code ::1/128}: the trusted sources of PROXY
 * protocol headers. Parsing never looks a name up.
 *
 * @param network the network's address bytes (4 or 16)
 * @param prefix the number of leading bits that must match
 */
public record Cidr(byte[] network, int prefix) {
    /** Loopback: {@code 127.0.0.0/8} and {@code ::1/128}. */
    public static final List<Cidr> LOOPBACK = List.of(parse("127.0.0.0/8"), parse("::1/128"));

    /**
     * Parses an address literal ({@code 192.0.2.7}, {@code ::1}) or a CIDR block ({@code 10.0.0.0/8}).
     *
     * @param text the literal or block
     * @return the network
     * @throws IllegalArgumentException if {@code text} is neither
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(host);
        if (bytes == null) throw new IllegalArgumentException("not an IP address or CIDR block: " + text);
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String bits = text.substring(slash + 1);
            if (!bits.matches("[0-9]{1,3}") || Integer.parseInt(bits) > prefix) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            prefix = Integer.parseInt(bits);
        }
        return new Cidr(bytes, prefix);
    }

    /** {@return the bytes of an IPv4 or IPv6 literal, or null if {@code host} is not one} Never a lookup. */
    static byte[] literal(String host) {
        if (host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            byte[] bytes = new byte[4];
            String[] parts = host.split("\\.");
            for (int i = 0; i < 4; i++) {
                int value = Integer.parseInt(parts[i]);
                if (value > 255) return null;
                bytes[i] = (byte) value;
            }
            return bytes;
        }
        // With a colon and only these characters, the JDK parses an IPv6 literal and never resolves.
        if (host.indexOf(':') < 0 || !host.matches("[0-9A-Fa-f:.]{2,45}")) return null;
        try {
            InetAddress address = InetAddress.getByName(host);
            // ::ffff:a.b.c.d comes back as IPv4; a block of those is meant as IPv6
            return address instanceof Inet4Address ? null : address.getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * {@return whether {@code address} lies in this network} An IPv4-mapped IPv6 peer counts as its IPv4.
     *
     * @param address the peer's address
     */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) return false;
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);  // 4 or 16 bytes always make an address
        }
    }
}
