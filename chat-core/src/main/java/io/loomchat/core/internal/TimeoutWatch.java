package io.loomchat.core.internal;

import io.loomchat.core.ChatLimitException;
import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.ConnectionState.Phase;
import java.net.SocketAddress;

/**
 * What the watchdog does for one connection ten times a second: the housekeeping of its output (a held reply
 * written, an idle pump thread retired, spare buffers dropped), then its timeouts and idle events, as {@link ConnectionTimeouts}
 * decides them from the stamps of the reader, the output and the connection's own (opening, lingering), all on the
 * connection's one {@link TimeSource}.
 *
 * <p>A timeout that runs out moves the {@link ConnectionState} and acts on a thread of its own (closing a TLS
 * socket can wait for a blocked write, and the watchdog serves every connection of the JVM): a peer that does not
 * read, a handshake or a linger that ran out, is closed at once; a peer that is idle or slow has its input ended,
 * so the connection thread tells the session (which may push a goodbye) and drains, as for a broken limit.
 */
final class TimeoutWatch implements Watchdog.Ticking {
    /** What the watch does to its connection. */
    interface Actions {
        /** Closes now, for {@code reason}. */
        void closeNow(CloseReason reason);

        /** Ends the input (closing if it cannot), so the connection thread tells the session and drains. */
        void endInput(CloseReason reason);

        /** Tells the session it was idle, one callback at a time with the others. */
        void idle(io.loomchat.core.ChatSession.IdleKind kind);
    }

    private final long id;
    private final String name;
    private final SocketAddress remoteAddress;
    private final TimeSource time;
    private final ConnectionState state;
    private final ConnectionTimeouts timeouts;
    private final ReaderStamps reader;
    private final PumpOutput output;
    private final OutputQueue queue;
    private final ProducerPump pump;
    private final ReplyHold hold;
    private final Actions actions;
    /** When the session hears it was idle. */
    private final IdleEvents idle;
    /** When opening the transport (a TLS handshake) began, or 0 once it is open: for the handshake timeout. */
    private volatile long openSince;
    /** When the output was shut after the last reply, or 0: the linger's start. */
    private volatile long lingerSince;
    /** When a tick first saw that the peer broke a limit, or 0: the start of the output's last drain. */
    private long drainSince;

    TimeoutWatch(long id, String name, SocketAddress remoteAddress, TimeSource time, ConnectionState state,
                 ConnectionTimeouts timeouts, ReaderStamps reader, PumpOutput output, OutputQueue queue,
                 ProducerPump pump, ReplyHold hold, IdleEvents idle, Actions actions) {
        this.idle = idle;
        this.id = id;
        this.name = name;
        this.remoteAddress = remoteAddress;
        this.time = time;
        this.state = state;
        this.timeouts = timeouts;
        this.reader = reader;
        this.output = output;
        this.queue = queue;
        this.pump = pump;
        this.hold = hold;
        this.actions = actions;
    }

    /** The transport begins opening (its TLS handshake), or, with {@code false}, is open. */
    void opening(boolean opening) {
        openSince = opening ? time.nanoTime() | 1 : 0;
    }

    /** The output was shut after the last reply: the linger begins. */
    void lingerStarts() {
        lingerSince = time.nanoTime() | 1;
    }

    @Override
    public void tick() {
        if (state.reached(Phase.CLOSING)) return;
        long now = time.nanoTime();
        hold.tick(now);
        pump.tick(now);
        if (now - output.lastWrite() > OutputQueue.SPARE_LINGER_NANOS) queue.dropSpares();
        if (drainSince == 0 && state.peerError() != null) drainSince = now | 1;
        var stamps = new ConnectionTimeouts.Stamps(reader.readSince(), reader.messageSince(), output.writeSince(),
                output.lastWrite(), lingerSince, openSince, drainSince);
        CloseReason expired = timeouts.expired(now, state.dispatching(), stamps);
        if (expired != null) {
            timedOut(expired);
        } else if (idle.enabled() && state.dispatching()) {
            for (var kind = idle.due(now, stamps.readSince(), stamps.writeSince(), stamps.lastWrite(),
                    queue.isOpen()); kind != null; kind = idle.due(now, stamps.readSince(), stamps.writeSince(),
                    stamps.lastWrite(), queue.isOpen())) {
                actions.idle(kind);
            }
        }
    }

    private void timedOut(CloseReason reason) {
        if (reason == CloseReason.CLOSE_WHEN_DONE || reason == CloseReason.HANDSHAKE_TIMEOUT) {
            if (state.advance(Phase.CLOSING, reason)) aside(() -> actions.closeNow(reason));
            return;
        }
        ChatLimitException error = timeouts.error(reason, remoteAddress);
        if (reason == CloseReason.WRITE_TIMEOUT) {
            if (!state.advance(Phase.CLOSING, reason, error)) return;
            Events.slowConsumer(id, remoteAddress, queue.queuedBytes());
            aside(() -> actions.closeNow(reason));
        } else if (state.advance(Phase.INPUT_ENDED, reason, error)) {
            aside(() -> actions.endInput(reason));
        }
    }

    private void aside(Runnable action) {
        Thread.ofVirtual().name(name + "-timeout").start(action);
    }

    @Override
    public String toString() {
        return name + " " + remoteAddress;
    }
}
