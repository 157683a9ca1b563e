package io.loomchat.core.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Makes a connection's pump threads: virtual, named {@code loomchat-pump-ID}, with the connection's name and peer
 * in the log context, as on its connection thread. Nothing is made until a pump thread is.
 */
final class PumpThreads {
    private PumpThreads() {
    }

    /** {@return the pump threads of the connection whose thread is {@code connectionName}} */
    static ThreadFactory of(String connectionName, LogContext logContext) {
        return pumping -> Thread.ofVirtual().name(connectionName.replace("-conn-", "-pump-")).unstarted(() -> {
            logContext.enter();
            pumping.run();
        });
    }
}
