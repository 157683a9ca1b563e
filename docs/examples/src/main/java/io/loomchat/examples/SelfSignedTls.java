package io.loomchat.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at start with the running JDK's
 * {@code keytool} (an EC key, valid two days), for the demo's STARTTLS. Clients that check certificates need
 * {@link #pem()} as their trusted authority; swaks does not check by default.
 *
 * @param context serves the certificate and trusts it
 * @param pem the certificate in PEM, for {@code openssl s_client -CAfile} or Python's {@code cafile}
 */
public record SelfSignedTls(SSLContext context, String pem) {
    private static final String PASSWORD = "loomchat";

    /**
     * Makes the key and certificate in a temporary folder, loads them, and deletes the folder.
     *
     * @return the context and the certificate
     * @throws IOException if keytool cannot be run or fails
     */
    public static SelfSignedTls create() throws IOException {
        Path dir = Files.createTempDirectory("loomchat-tls");
        Path keystore = dir.resolve("demo.p12");
        Path pem = dir.resolve("demo.pem");
        try {
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            keytool(keytool, "-genkeypair", "-alias", "demo", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD);
            keytool(keytool, "-exportcert", "-rfc", "-alias", "demo", "-keystore", keystore.toString(),
                    "-storepass", PASSWORD, "-file", pem.toString());
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return new SelfSignedTls(context, Files.readString(pem, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IOException("the certificate keytool made cannot be used: " + e, e);
        } finally {
            Files.deleteIfExists(keystore);
            Files.deleteIfExists(pem);
            Files.deleteIfExists(dir);
        }
    }

    private static void keytool(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
        if (process.exitValue() != 0) throw new IOException("keytool failed: " + output.strip());
    }
}
