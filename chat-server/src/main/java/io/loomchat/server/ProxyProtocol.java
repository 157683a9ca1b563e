package io.loomchat.server;

import io.loomchat.server.internal.Cidr;
import java.util.Arrays;
import java.util.List;

/**
 * How a {@link ChatServer} takes HAProxy's PROXY protocol (version 1 and 2) from the balancer in front of it:
 * {@link #required()} or {@link #optional()}, and from which source networks. By default only loopback
 * ({@code 127.0.0.0/8}, {@code ::1}) is trusted: a balancer elsewhere is listed with {@link #trusting}.
 *
 * {@snippet :
 * ChatServer server = ChatServer.builder().port(7000)
 *         .proxyProtocol(ProxyProtocol.required().trusting("10.0.0.0/8", "127.0.0.1"))
 *         .listen(factory);
 * }
 *
 * <p>The header must arrive within the connections' handshake timeout ({@code ChatOptions.handshakeTimeout()};
 * 10 seconds where that is zero). Version 1 headers are 107 bytes at most, version 2 headers
 * {@value #MAX_V2_HEADER} bytes. Not available with TLS ({@code sslContext}).
 */
public final class ProxyProtocol {
    /** The longest version 2 header taken, signature and extensions included; a longer one is closed. */
    public static final int MAX_V2_HEADER = 4096;

    /** Whether a connection must start with a header. */
    public enum Mode {
        /**
         * Every connection starts with a header from a trusted source; any other (no header, a malformed one,
         * an untrusted source) is closed and logged, and no session is created.
         */
        REQUIRED,
        /**
         * A connection from a trusted source may start with a header; if its first bytes are not one, they
         * reach the session untouched. Connections from other sources are served as they are, their bytes
         * never read as a header.
         */
        OPTIONAL
    }

    private final Mode mode;
    private final List<Cidr> trusted;

    private ProxyProtocol(Mode mode, List<Cidr> trusted) {
        this.mode = mode;
        this.trusted = trusted;
    }

    /** {@return the PROXY protocol required of every connection, from loopback} */
    public static ProxyProtocol required() {
        return new ProxyProtocol(Mode.REQUIRED, Cidr.LOOPBACK);
    }

    /** {@return the PROXY protocol taken when a connection from loopback starts with a header} */
    public static ProxyProtocol optional() {
        return new ProxyProtocol(Mode.OPTIONAL, Cidr.LOOPBACK);
    }

    /**
     * Returns this mode, trusting headers from {@code networks} only (instead of loopback).
     *
     * @param networks address literals or CIDR blocks, such as {@code "10.0.0.0/8"}, {@code "192.0.2.7"},
     *     {@code "fd00::/8"}; host names are not taken
     * @return a new configuration
     * @throws IllegalArgumentException if a network is not an address literal or CIDR block, or none is given
     */
    public ProxyProtocol trusting(String... networks) {
        if (networks.length == 0) throw new IllegalArgumentException("no trusted network");
        return new ProxyProtocol(mode, Arrays.stream(networks).map(Cidr::parse).toList());
    }

    /** {@return whether a header is required or optional} */
    public Mode mode() {
        return mode;
    }

    /** {@return the trusted networks, as CIDR blocks} */
    public List<String> trusted() {
        return trusted.stream().map(Cidr::toString).toList();
    }

    /**
     * {@return whether a connection from {@code address} may send a header}
     *
     * @param address the peer's address
     */
    public boolean trusts(java.net.InetAddress address) {
        return trusted.stream().anyMatch(c -> c.contains(address));
    }

    /** {@return a description, such as {@code ProxyProtocol[REQUIRED from 127.0.0.0/8, ::1/128]}} */
    @Override
    public String toString() {
        return "ProxyProtocol[" + mode + " from " + String.join(", ", trusted()) + "]";
    }
}
