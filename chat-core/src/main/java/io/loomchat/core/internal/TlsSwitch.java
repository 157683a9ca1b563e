package io.loomchat.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;

/**
 * The marker that {@code startTls} puts in the output queue, and the hand-over between the two threads at it.
 *
 * <pre>
 *   pump:        ... writes the output before the marker → {@link #reached()} → waits in {@link #awaitSwitched()}
 *   connection:  stops dispatching → {@link #awaitReached()} → handshake → {@link #switched(boolean)}
 * </pre>
 *
 * <p>The pump writes nothing after the marker until the connection thread has swapped the streams, so the
 * output queued after {@code startTls} goes out over TLS only. {@link #abort()} (the connection closes, or the
 * switch is refused) ends both waits with false.
 */
final class TlsSwitch {
    private final SSLContext context;
    /** Completed by the pump once the output before the marker is written; false if the switch was aborted. */
    private final CompletableFuture<Boolean> reached = new CompletableFuture<>();
    /** Completed by the connection thread once the streams are TLS; false if the switch was aborted. */
    private final CompletableFuture<Boolean> switched = new CompletableFuture<>();

    TlsSwitch(SSLContext context) {
        this.context = context;
    }

    SSLContext context() {
        return context;
    }

    /** The pump wrote everything before the marker. */
    void reached() {
        reached.complete(true);
    }

    /** The connection thread swapped the streams ({@code true}), or gave up. */
    void switched(boolean done) {
        switched.complete(done);
    }

    /** Ends both waits with false: the connection closes, or the switch was refused. */
    void abort() {
        reached.complete(false);
        switched.complete(false);
    }

    /** Waits for the pump to write the output before the marker; false if the switch was aborted meanwhile. */
    boolean awaitReached() throws InterruptedException {
        return await(reached);
    }

    /** Waits for the connection thread to swap the streams; false if the switch was aborted. */
    boolean awaitSwitched() throws InterruptedException {
        return await(switched);
    }

    private static boolean await(CompletableFuture<Boolean> step) throws InterruptedException {
        try {
            return step.get();
        } catch (ExecutionException e) {
            return false;  // never completed exceptionally
        }
    }

    @Override
    public String toString() {
        return "START_TLS";
    }
}
