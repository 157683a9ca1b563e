package io.loomchat.server.internal;

import io.loomchat.core.CloseReason;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Traffic;
import io.loomchat.server.ChatServer;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's counters. Open connections count their own bytes and messages; this adds them up when they end,
 * so the hot path carries no shared counter.
 */
public final class ServerCounters {
    final LongAdder accepted = new LongAdder();
    final LongAdder refused = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder pushesWaited = new LongAdder();
    private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

    ServerCounters() {
        for (CloseReason reason : CloseReason.values()) closed.put(reason, new LongAdder());
    }

    void add(Connection connection) {
        Traffic traffic = connection.traffic();
        bytesIn.add(traffic.bytesIn());
        bytesOut.add(traffic.bytesOut());
        messages.add(traffic.messages());
        pushesWaited.add(traffic.pushesWaited());
        CloseReason reason = connection.closeReason();
        closed.get(reason == null ? CloseReason.CLOSED : reason).increment();
    }

    ChatServer.Stats snapshot(Collection<Connection> open) {
        long in = bytesIn.sum();
        long out = bytesOut.sum();
        long found = messages.sum();
        long waited = pushesWaited.sum();
        long queued = 0;
        for (Connection connection : open) {
            Traffic traffic = connection.traffic();
            in += traffic.bytesIn();
            out += traffic.bytesOut();
            found += traffic.messages();
            waited += traffic.pushesWaited();
            queued += traffic.outputQueued();
        }
        Map<CloseReason, Long> closedByReason = new EnumMap<>(CloseReason.class);
        closed.forEach((reason, count) -> closedByReason.put(reason, count.sum()));
        return new ChatServer.Stats(open.size(), accepted.sum(), refused.sum(), closedByReason, in, out, found,
                queued, waited);
    }
}
