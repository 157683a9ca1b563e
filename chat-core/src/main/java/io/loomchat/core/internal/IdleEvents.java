package io.loomchat.core.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession.IdleKind;

/**
 * Decides when a connection's session is told it is idle (see {@link ChatOptions#readerIdleTime()}), from the
 * reader's and the output's stamps and the time now, all on the connection's one {@link TimeSource}. It decides
 * only: the connection delivers. Each kind is measured from the later of the last activity and its own last event,
 * so an idle connection hears one event a period.
 *
 * <p>Called by the watchdog only, one tick at a time: its marks need no guard.
 */
final class IdleEvents {
    private final long readerNanos;
    private final long writerNanos;
    /** When the last reader event was due, or the connection began. */
    private long readerMark;
    /** When the last writer event was due, or the connection began. */
    private long writerMark;

    IdleEvents(ChatOptions options, long now) {
        this.readerNanos = options.readerIdleTime().toNanos();
        this.writerNanos = options.writerIdleTime().toNanos();
        this.readerMark = now;
        this.writerMark = now;
    }

    /** {@return whether any idle event is configured} */
    boolean enabled() {
        return readerNanos > 0 || writerNanos > 0;
    }

    /**
     * Returns the event due at {@code now}, the reader's before the writer's, or null; an event returned is counted
     * as delivered.
     *
     * @param readSince when the read under way began, or 0 while the session is called (busy, not idle)
     * @param writeSince when the write under way began, or 0 (a write blocked on the peer is the write timeout's)
     * @param lastWrite when bytes last went out, or 0
     * @param outputOpen whether output may still be pushed
     */
    IdleKind due(long now, long readSince, long writeSince, long lastWrite, boolean outputOpen) {
        if (readerNanos > 0 && readSince != 0 && now - later(readSince, readerMark) > readerNanos) {
            readerMark = now;
            return IdleKind.READER;
        }
        if (writerNanos > 0 && outputOpen && writeSince == 0 && now - later(lastWrite, writerMark) > writerNanos) {
            writerMark = now;
            return IdleKind.WRITER;
        }
        return null;
    }

    /** The later of a stamp (0 for none) and a mark, compared as the difference of nanoTimes. */
    private static long later(long stamp, long mark) {
        return stamp != 0 && stamp - mark > 0 ? stamp : mark;
    }
}
