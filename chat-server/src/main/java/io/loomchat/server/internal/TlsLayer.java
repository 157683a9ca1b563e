package io.loomchat.server.internal;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * How a connection layers TLS on its TCP socket: the side it takes and the options of its builder. Used when a
 * connection opens with TLS and when its session calls {@code startTls}.
 *
 * @param clientMode true on a {@code ChatClient}'s connections, false on a {@code ChatServer}'s
 * @param host the name the client connected to (its certificate must name it, and the JDK sends it as SNI when it is
 *     a domain name), or null on a server
 * @param port the server's port, or 0 on a server
 * @param parameters the builder's {@code SSLParameters} (protocols, cipher suites, client authentication, SNI), or
 *     null for the context's defaults
 * @param verifyHostname whether a client checks that the server's certificate names {@code host}
 */
public record TlsLayer(boolean clientMode, String host, int port, SSLParameters parameters, boolean verifyHostname) {

    /**
     * {@return the server side, with {@code parameters} (or the context's defaults if null)}
     *
     * @param parameters protocols, cipher suites and client authentication, or null
     */
    public static TlsLayer server(SSLParameters parameters) {
        return new TlsLayer(false, null, 0, parameters, false);
    }

    /**
     * Layers TLS from {@code context} on {@code raw}, closing {@code raw} when the TLS socket closes; the handshake
     * is not started.
     *
     * @param context the certificate and trust
     * @param raw the connected TCP socket
     * @return the TLS socket, with its side and options set
     * @throws IOException if the socket cannot be layered
     */
    public SSLSocket layer(SSLContext context, Socket raw) throws IOException {
        // The (socket, host, port, autoClose) form: every provider has it; the (socket, consumed, autoClose) form
        // is optional.
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw,
                clientMode ? host : raw.getInetAddress().getHostAddress(), clientMode ? port : raw.getPort(), true);
        tls.setUseClientMode(clientMode);
        if (parameters != null) tls.setSSLParameters(parameters);  // read, not kept: the caller's stays as it is
        if (verifyHostname) {
            SSLParameters checked = tls.getSSLParameters();
            if (checked.getEndpointIdentificationAlgorithm() == null) {
                checked.setEndpointIdentificationAlgorithm("HTTPS");  // the certificate must name the host
                tls.setSSLParameters(checked);
            }
        }
        return tls;
    }

    /**
     * {@return a copy of {@code parameters}} A builder keeps its own, so that the caller's object may change later
     * without changing connections.
     *
     * @param parameters the options to copy
     */
    public static SSLParameters copy(SSLParameters parameters) {
        SSLParameters copy = new SSLParameters(parameters.getCipherSuites(), parameters.getProtocols());
        if (parameters.getNeedClientAuth()) copy.setNeedClientAuth(true);
        else if (parameters.getWantClientAuth()) copy.setWantClientAuth(true);
        copy.setEndpointIdentificationAlgorithm(parameters.getEndpointIdentificationAlgorithm());
        copy.setAlgorithmConstraints(parameters.getAlgorithmConstraints());
        if (parameters.getServerNames() != null) copy.setServerNames(parameters.getServerNames());
        if (parameters.getSNIMatchers() != null) copy.setSNIMatchers(parameters.getSNIMatchers());
        copy.setUseCipherSuitesOrder(parameters.getUseCipherSuitesOrder());
        copy.setEnableRetransmissions(parameters.getEnableRetransmissions());
        copy.setMaximumPacketSize(parameters.getMaximumPacketSize());
        copy.setApplicationProtocols(parameters.getApplicationProtocols());
        copy.setSignatureSchemes(parameters.getSignatureSchemes());
        copy.setNamedGroups(parameters.getNamedGroups());
        return copy;
    }
}
