package io.loomchat.server.internal;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.SessionFactory;
import io.loomchat.server.ProxyProtocol;
import java.net.SocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Everything a server was built with.
 *
 * @param address the address and port to bind, or a Unix domain socket's file
 * @param backlog connections the kernel queues before they are accepted
 * @param options the buffer sizes and limits of every connection
 * @param maxConnections the most connections open at once
 * @param refusal bytes written to a connection refused over {@code maxConnections}, or empty
 * @param drainTimeout how long a graceful close lets connections write their queued output
 * @param sslContext TLS for every connection, or null for plain TCP
 * @param sslParameters the TLS options (protocols, cipher suites, client authentication), or null for the defaults
 * @param proxyProtocol how connections' PROXY protocol headers are taken, or null for none
 * @param factory creates each connection's session
 */
public record ServerConfig(SocketAddress address, int backlog, ChatOptions options, int maxConnections,
                           byte[] refusal, Duration drainTimeout, SSLContext sslContext, SSLParameters sslParameters,
                           ProxyProtocol proxyProtocol,
                           SessionFactory factory) {
}
