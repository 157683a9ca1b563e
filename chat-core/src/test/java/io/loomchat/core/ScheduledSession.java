package io.loomchat.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A session that goes through a {@link Schedule} of terminators (the first set on creation, the next in each
 * foundTerminator) and records what it receives as a {@link Received}: how the collect calls were split is not
 * kept, since the contract leaves it free. It also notes what the contract forbids: an empty piece, and any error.
 *
 * <p>Every callback runs on the connection thread; read it from elsewhere only after the connection closed.
 */
final class ScheduledSession implements ChatSession {
    private final ChatChannel channel;
    private final Schedule schedule;
    private final Received received = new Received();
    private final List<String> problems = new ArrayList<>();
    private int closedCalls;
    /** Whether the session takes its input in place, as a range of the reader's buffer, and copies it itself. */
    private final boolean inPlace;

    ScheduledSession(ChatChannel channel, Schedule schedule) {
        this(channel, schedule, false);
    }

    ScheduledSession(ChatChannel channel, Schedule schedule, boolean inPlace) {
        this.channel = channel;
        this.schedule = schedule;
        this.inPlace = inPlace;
        channel.setTerminator(schedule.initial());
    }

    @Override
    public void collectIncomingData(byte[] buffer, int offset, int length) {
        if (!inPlace) {
            ChatSession.super.collectIncomingData(buffer, offset, length);
            return;
        }
        if (length <= 0 && problems.size() < 5) problems.add("an empty range was collected");
        received.collect(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
    }

    @Override
    public void collectIncomingData(byte[] data) {
        if (data.length == 0 && problems.size() < 5) problems.add("an empty piece was collected");
        received.collect(data);
    }

    @Override
    public void foundTerminator() {
        received.found();
        channel.setTerminator(schedule.afterFound(received.messages()));
    }

    @Override
    public void handleError(ChatChannel channel, Throwable error) {
        if (problems.size() < 5) problems.add("handleError: " + error);
        channel.close();
    }

    @Override
    public void closed() {
        closedCalls++;
    }

    Received received() {
        return received;
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    int closedCalls() {
        return closedCalls;
    }
}
