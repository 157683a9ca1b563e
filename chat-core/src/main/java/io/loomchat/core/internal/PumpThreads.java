package io.loomchat.core.internal;

import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;
import org.slf4j.MDC;

/**
 * Makes a connection's pump threads: virtual, named {@code loomchat-pump-ID}, with the connection's name and peer
 * in the log context, as on its connection thread.
 */
final class PumpThreads {
    private PumpThreads() {
    }

    /** {@return the pump threads of the connection whose thread is {@code connectionName}} */
    static ThreadFactory of(String connectionName, SocketAddress remoteAddress) {
        String name = connectionName.replace("-conn-", "-pump-");
        String remote = String.valueOf(remoteAddress);
        return pumping -> Thread.ofVirtual().name(name).unstarted(() -> {
            MDC.put("remote", remote);
            MDC.put("connection", connectionName);
            pumping.run();
        });
    }
}
