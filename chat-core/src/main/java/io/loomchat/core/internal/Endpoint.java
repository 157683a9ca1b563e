package io.loomchat.core.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * What a {@link Connection} runs over: its streams, the transport that closes them, and the peer.
 *
 * @param in the input the session reads
 * @param out the output the pump writes
 * @param transport closes the stream pair; must unblock a read or write in progress
 * @param remoteAddress the peer, or null
 */
public record Endpoint(InputStream in, OutputStream out, Transport transport, SocketAddress remoteAddress) {
    /** Checks the parts. */
    public Endpoint {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(transport, "transport");
    }

    /**
     * {@return an endpoint over a stream pair with no peer address, whose transport closes both streams}
     *
     * @param in the input
     * @param out the output
     */
    public static Endpoint of(InputStream in, OutputStream out) {
        return new Endpoint(in, out, () -> {
            try (in; out) {
                // closing both is the point
            }
        }, null);
    }
}
