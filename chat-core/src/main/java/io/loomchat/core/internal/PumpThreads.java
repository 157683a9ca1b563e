package io.loomchat.core.internal;

import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;
import org.slf4j.MDC;

/** Makes a connection's pump threads: virtual, named {@code loomchat-pump-ID}, with the peer in the log context. */
final class PumpThreads {
    private PumpThreads() {
    }

    /** {@return the pump threads of the connection whose thread is {@code connectionName}} */
    static ThreadFactory of(String connectionName, SocketAddress remoteAddress) {
        String name = connectionName.replace("-conn-", "-pump-");
        String remote = String.valueOf(remoteAddress);
        return pumping -> Thread.ofVirtual().name(name).unstarted(() -> {
            MDC.put("remote", remote);
            pumping.run();
        });
    }
}
