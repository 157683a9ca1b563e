package io.loomchat.core.internal;

import io.loomchat.core.ChatLimitException;
import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.ConnectionState.Phase;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's {@code startTls}: a {@link TlsSwitch} in the output queue, and the switch of both streams once the
 * output before it is written, between two reads of the connection thread.
 *
 * <pre>
 *   callback: startTls → marker queued, reader told → callbacks return, nothing more dispatched
 *   reader:   input buffered after the command? → refused: STARTTLS_INJECTION, input ended, the pump stops at the marker
 *             else → wait for the pump to reach the marker → handshake (handshakeTimeout) → new streams, pump goes on
 * </pre>
 */
final class TlsStarter implements InputSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(TlsStarter.class);

    /** The connection, named in log lines by its toString(), made only when a line is logged. */
    private final Object who;
    private final SocketAddress remoteAddress;
    private final Transport transport;
    private final ConnectionState state;
    private final OutputQueue queue;
    private final PumpOutput output;
    private final TerminatorReader reader;
    private final TimeoutWatch watch;
    private final Duration handshakeTimeout;
    /** The switch under way, or null. */
    private volatile TlsSwitch pending;
    /** True once startTls was called. Connection thread only. */
    private boolean started;

    TlsStarter(Object who, SocketAddress remoteAddress, Transport transport, ConnectionState state,
               OutputQueue queue, PumpOutput output, TerminatorReader reader, TimeoutWatch watch,
               Duration handshakeTimeout) {
        this.who = who;
        this.remoteAddress = remoteAddress;
        this.transport = transport;
        this.state = state;
        this.queue = queue;
        this.output = output;
        this.reader = reader;
        this.watch = watch;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** The channel's startTls, on the connection thread: queues the marker and tells the reader. */
    void start(SSLContext context) {
        String refused = transport.noStartTls();
        if (refused != null) throw new IllegalStateException("startTls(): " + refused);
        if (started) throw new IllegalStateException("startTls() twice");
        TlsSwitch tls = new TlsSwitch(context);
        if (!queue.offer(tls)) return;  // closing: nothing more is written or dispatched anyway
        started = true;
        pending = tls;
        reader.switchInput(this);
    }

    @Override
    public InputStream switchInput(int buffered) throws IOException {
        TlsSwitch tls = pending;
        if (buffered > 0) {
            // CVE-2011-0411: bytes that came with the command would be taken as if they had come over TLS.
            state.advance(Phase.INPUT_ENDED, CloseReason.STARTTLS_INJECTION, new ChatLimitException("startTls", 0,
                    remoteAddress, buffered + " bytes sent after the command that started TLS, before the handshake;"
                    + " not dispatched"));
            tls.abort();
            return null;
        }
        try {
            if (!tls.awaitReached() || !state.dispatching()) {
                tls.abort();  // closed, or the input ended (a timeout, a shutdown) while the reply was written
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // an abort: the connection is closing
            tls.abort();
            return null;
        }
        Transport.Streams streams;
        watch.opening(true);
        try {
            streams = transport.startTls(tls.context());
        } catch (IOException | RuntimeException e) {
            state.noteCause(CloseReason.PEER_RESET);  // before the pump, let go, ends the output as if done
            tls.abort();
            LOG.info("{}: could not start TLS: {}", who, state.reason() == CloseReason.HANDSHAKE_TIMEOUT
                    ? "the handshake took over " + handshakeTimeout : e.toString());
            throw e;
        } finally {
            watch.opening(false);
        }
        output.switchTo(streams.out());
        pending = null;
        tls.switched(true);
        return streams.in();
    }

    /** The connection closes: a switch under way ends, and the pump waiting at its marker lets go. */
    void abort() {
        TlsSwitch tls = pending;
        if (tls != null) tls.abort();
    }
}
