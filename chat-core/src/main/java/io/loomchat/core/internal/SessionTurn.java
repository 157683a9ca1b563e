package io.loomchat.core.internal;

import io.loomchat.core.ChatSession.IdleKind;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Whose turn it is to call the session: the connection thread's, except while it waits in a read, when an idle
 * event may be delivered on a thread of its own. So the session's callbacks never run two at a time, and an idle
 * event reaches a session whose connection thread is blocked in a read, which nothing can wake without closing the
 * socket (an interrupt closes it).
 *
 * <pre>
 *   connection thread:  holds the turn ─ before a read: delivers pending events, lets go ─ read ─ takes it back
 *   an idle event:      posted (pending) ─ delivered by whoever can take the turn without waiting
 * </pre>
 *
 * <p>Only the connection thread ever waits for the turn: after a read, while an event's callback runs. Anyone else
 * only tries to take it, and leaves the event pending for the connection thread otherwise, which delivers it before
 * its next read. The turn is a permit, not a lock on anything the session's code can reach: a callback that pushes,
 * closes or waits for its output to drain needs nothing the turn guards, so holding it over the callback (as the
 * connection thread has always held its own turn over its callbacks) cannot deadlock.
 */
final class SessionTurn {
    private static final int READER = 1;
    private static final int WRITER = 2;

    private final Semaphore turn = new Semaphore(1);
    /** Events posted and not yet delivered, as bits. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Calls the session's idle hook; called with the turn held. */
    private final Consumer<IdleKind> deliver;
    /** Starts a thread of its own for an event, while the connection thread waits in a read. */
    private final Consumer<Runnable> aside;
    /** The thread delivering an event other than the connection thread, or null: for an abort to interrupt it. */
    private volatile Thread eventThread;

    SessionTurn(Consumer<IdleKind> deliver, Consumer<Runnable> aside) {
        this.deliver = deliver;
        this.aside = aside;
    }

    /** The connection thread takes the turn: when it starts, and after each read. */
    void take() {
        turn.acquireUninterruptibly();
    }

    /** The connection thread, holding the turn, is about to wait in a read: delivers what is pending, lets go. */
    void letGo() {
        deliverPending();
        turn.release();
        // An event posted while it was being let go found the turn taken: deliver it now, or leave it to a read.
        if (pending.get() != 0) tryDeliver();
    }

    /** Posts idle events (any thread): delivered at once if the connection thread waits in a read, else later. */
    void post(IdleKind kind) {
        int bit = kind == IdleKind.READER ? READER : WRITER;
        pending.getAndUpdate(p -> p | bit);
        if (turn.availablePermits() > 0) aside.accept(this::tryDeliver);
    }

    /** {@return whether {@code thread} is delivering an event now} */
    boolean isEventThread(Thread thread) {
        return thread == eventThread;
    }

    /** Interrupts the thread delivering an event, if any: an abort wakes a session blocked in its idle hook. */
    void interruptEvent() {
        Thread thread = eventThread;
        if (thread != null) thread.interrupt();
    }

    private void tryDeliver() {
        while (pending.get() != 0 && turn.tryAcquire()) {
            eventThread = Thread.currentThread();
            try {
                deliverPending();
            } finally {
                eventThread = null;
                turn.release();
            }
        }
    }

    /** With the turn held. */
    private void deliverPending() {
        int events = pending.getAndSet(0);
        if ((events & READER) != 0) deliver.accept(IdleKind.READER);
        if ((events & WRITER) != 0) deliver.accept(IdleKind.WRITER);
    }
}
