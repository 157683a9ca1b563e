package io.loomchat.server.faults;

import io.loomchat.core.ChatChannel;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * A stuck connection's output as loomchat holds it: the queue, the pump, the reply hold and the socket's write
 * stamps, read by reflection from the channel's internals for a stall report. A lost wake-up shows here as work
 * queued while the pump waits for work, and whether the pump is still on the condition it waits on says whether
 * anyone signalled it.
 *
 * <p>Read without the queue's lock (taken only for a moment, and only when that wakes nobody): at a stall nothing
 * moves, and a report taken while things move says so by disagreeing with itself. Diagnostic only: if the internals changed, it says what it could
 * not read, and the report goes on.
 */
final class OutputState {
    private OutputState() {
    }

    /** {@return the state of {@code channel}'s output, in one paragraph} */
    static String of(ChatChannel channel) {
        try {
            Object queue = field(channel, "queue");
            Object pump = field(channel, "pump");
            Object hold = field(channel, "hold");
            Object out = field(pump, "out");
            long now = System.nanoTime();
            Collection<?> fifo = (Collection<?>) field(queue, "producerFifo");
            Thread pumpThread = (Thread) field(pump, "pumpThread");
            Thread holder = (Thread) field(hold, "holder");
            return "queue: " + fifo.size() + " items " + items(fifo) + ", " + field(queue, "queuedBytes")
                    + " bytes queued, " + field(queue, "inFlight") + " in flight, writingThrough="
                    + field(queue, "writingThrough") + ", closing=" + field(queue, "closing") + ", stopped="
                    + field(queue, "stopped") + ", waitingPushes=" + field(queue, "waitingPushes") + "; lock "
                    + field(queue, "lock") + ", " + waiters((ReentrantLock) field(queue, "lock"),
                    (Condition) field(queue, "changed"), pumpThread)
                    + "; pump: thread " + (pumpThread == null ? "none" : pumpThread.getName() + " "
                    + pumpThread.getState()) + ", pumpWaiting=" + field(pump, "pumpWaiting") + ", retire="
                    + field(pump, "retire") + ", batchLength=" + field(pump, "batchLength") + ", unflushed="
                    + field(pump, "unflushed") + "; hold: holder=" + (holder == null ? "none" : holder.getName())
                    + ", wakeupPending=" + field(hold, "wakeupPending") + " (set " + ago(now, field(hold,
                    "pendingSince")) + "); output: " + field(out, "bytesOut") + " bytes written, the last "
                    + ago(now, field(out, "lastWrite")) + ", writeSince=" + field(out, "writeSince");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "output state unavailable: " + e;
        }
    }

    private static String items(Collection<?> fifo) {
        String shown = fifo.stream().limit(6).map(OutputState::item).collect(Collectors.joining(", ", "[", ""));
        return shown + (fifo.size() > 6 ? ", …]" : "]");
    }

    private static String item(Object item) {
        try {
            String type = item.getClass().getSimpleName();
            return type.equals("Segment") ? "Segment(" + field(item, "length") + " B)" : item.toString();
        } catch (ReflectiveOperationException e) {
            return item.getClass().getName();
        }
    }

    /**
     * Says who waits where: a pump still waiting on {@code changed} was never signalled; one queued for the lock was
     * signalled and not yet woken. Asking about the condition needs the lock, taken only if nobody is queued for
     * it: its release then wakes nobody.
     */
    private static String waiters(ReentrantLock lock, Condition changed, Thread pump) {
        if (lock.hasQueuedThreads()) {
            return "threads queued for it" + (pump != null && lock.hasQueuedThread(pump) ? ", the pump among them" : "");
        }
        if (!lock.tryLock()) return "held";
        try {
            return "nobody queued for it, " + lock.getWaitQueueLength(changed) + " thread(s) waiting on 'changed'";
        } finally {
            lock.unlock();
        }
    }

    private static String ago(long now, Object stamp) {
        long nanos = (Long) stamp;
        return nanos == 0 ? "never" : TimeUnit.NANOSECONDS.toMillis(now - nanos) + " ms ago";
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(owner);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(owner.getClass().getName() + "." + name);
    }
}
