package io.loomchat.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The terminators a {@link ScheduledSession} (and the {@link AsynchatModel} beside it) goes through: the first is
 * set when the session is created, and each foundTerminator sets the next, from the start again after the last.
 * {@link Terminator.None} never finds a terminator, so it is only ever the last entry.
 *
 * @param entries the terminators, at least one
 */
record Schedule(List<Terminator> entries) {
    Schedule {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) throw new IllegalArgumentException("an empty schedule");
        for (int i = 0; i + 1 < entries.size(); i++) {
            if (entries.get(i) instanceof Terminator.None) throw new IllegalArgumentException("none before the end");
        }
    }

    static Schedule of(Terminator... entries) {
        return new Schedule(List.of(entries));
    }

    /** {@return the terminator set when the session is created} */
    Terminator initial() {
        return entries.get(0);
    }

    /** {@return the terminator set by the {@code found}-th foundTerminator call (from 1)} */
    Terminator afterFound(int found) {
        return entries.get(found % entries.size());
    }

    /** {@return e.g. [\"ab\", count 10,000, \"\r\n\", none]} */
    @Override
    public String toString() {
        return entries.stream().map(Schedule::name).collect(Collectors.joining(", ", "[", "]"));
    }

    static String name(Terminator t) {
        return switch (t) {
            case Terminator.Delimiter d -> "\"" + Received.escape(d.bytes()) + "\"";
            case Terminator.Count c -> String.format("count %,d", c.remaining());
            case Terminator.None n -> "none";
            default -> t.toString();
        };
    }
}
