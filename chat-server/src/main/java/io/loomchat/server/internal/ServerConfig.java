package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Everything a server was built with.
 *
 * @param refusal bytes written to a connection refused over {@code maxConnections}, or empty
 * @param sslContext TLS for every connection, or null for plain TCP
 */
public record ServerConfig(InetSocketAddress address, int backlog, ChatOptions options, int maxConnections,
                           byte[] refusal, Duration drainTimeout, SSLContext sslContext, SessionFactory factory) {
}
