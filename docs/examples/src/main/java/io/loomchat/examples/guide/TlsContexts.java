package io.loomchat.examples.guide;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts from a PKCS12 key store file, for {@code ChatServer.builder().sslContext(...)} and clients. */
public final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * Returns a server context with the key and certificate in {@code keyStore}.
     *
     * @param keyStore a PKCS12 file, as {@code keytool -genkeypair -storetype PKCS12} makes
     * @param password the file's password
     * @return a context for {@code ChatServer.Builder.sslContext}
     * @throws IOException if the file cannot be read
     * @throws GeneralSecurityException if it holds no usable key
     */
    public static SSLContext server(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        return tls;
    }

    /**
     * Returns a client context that trusts the certificates in {@code keyStore}, such as a self-signed server's.
     *
     * @param keyStore a PKCS12 file
     * @param password the file's password
     * @return a context for {@code ChatClient.Builder.sslContext}
     * @throws IOException if the file cannot be read
     * @throws GeneralSecurityException if it cannot be used
     */
    public static SSLContext trusting(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }
}
