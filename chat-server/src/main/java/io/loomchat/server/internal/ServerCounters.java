package io.loomchat.server.internal;

import io.loomchat.core.internal.CloseReason;
import io.loomchat.core.internal.Connection;
import io.loomchat.core.internal.Traffic;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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
    private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

    ServerCounters() {
        for (CloseReason reason : CloseReason.values()) closed.put(reason, new LongAdder());
    }

    void add(Connection connection) {
        Traffic traffic = connection.traffic();
        bytesIn.add(traffic.bytesIn());
        bytesOut.add(traffic.bytesOut());
        messages.add(traffic.messages());
        CloseReason reason = connection.closeReason();
        closed.get(reason == null ? CloseReason.CLOSED : reason).increment();
    }

    Snapshot snapshot(Collection<Connection> open) {
        long in = bytesIn.sum();
        long out = bytesOut.sum();
        long found = messages.sum();
        for (Connection connection : open) {
            Traffic traffic = connection.traffic();
            in += traffic.bytesIn();
            out += traffic.bytesOut();
            found += traffic.messages();
        }
        Map<String, Long> closedByReason = new LinkedHashMap<>();
        closed.forEach((reason, count) -> closedByReason.put(reason.name(), count.sum()));
        return new Snapshot(open.size(), accepted.sum(), refused.sum(), closedByReason, in, out, found);
    }

    /**
     * The counters at one moment; see {@code ChatServer.Stats}.
     *
     * @param open connections open now
     * @param accepted connections accepted, refused ones included
     * @param refused connections closed at once over the maximum
     * @param closedByReason connections ended, by the name of their close reason
     * @param bytesIn bytes read from peers
     * @param bytesOut bytes written to peers
     * @param messages terminators found
     */
    public record Snapshot(int open, long accepted, long refused, Map<String, Long> closedByReason, long bytesIn,
                           long bytesOut, long messages) {
    }
}
