package io.loomchat.core.internal;

import java.net.SocketAddress;
import java.util.Map;
import org.slf4j.MDC;

/**
 * A connection's two MDC keys, {@code remote} and {@code connection}, on its connection thread: there while the
 * thread reads, dispatches and logs, taken away while it waits for input. A logging backend keeps a map or two per
 * thread that has MDC keys (about 400 bytes with logback); an idle connection whose session puts no keys of its own
 * holds none.
 */
final class LogContext {
    private final String remote;
    private final String connection;

    LogContext(SocketAddress remoteAddress, String connection) {
        this.remote = String.valueOf(remoteAddress);
        this.connection = connection;
    }

    /** Puts the keys on the calling thread. */
    void enter() {
        MDC.put("remote", remote);
        MDC.put("connection", connection);
    }

    /** Removes the keys from the calling thread, and its MDC map when the session left no keys of its own in it. */
    void leave() {
        MDC.remove("remote");
        MDC.remove("connection");
        Map<String, String> others = MDC.getCopyOfContextMap();
        if (others != null && others.isEmpty()) MDC.clear();
    }
}
