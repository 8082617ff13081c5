package io.disjoint.relay.upstream;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate made by the running JDK's own keytool (no test-only crypto
 * library), for TLS upstream tests.
 */
final class TestCertificates {
  static final char[] PASSWORD = "changeit".toCharArray();
  final KeyStore keyStore;

  private TestCertificates(KeyStore keyStore) {
    this.keyStore = keyStore;
  }

  /** A certificate for {@code subjectAltName}, e.g. {@code ip:127.0.0.1} or {@code dns:other.example}. */
  static TestCertificates create(Path dir, String subjectAltName) throws Exception {
    Path file = dir.resolve("server-" + subjectAltName.replaceAll("[^a-z0-9.]", "_") + ".p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=disjoint test upstream", "-ext", "SAN=" + subjectAltName,
        "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", new String(PASSWORD),
        "-keypass", new String(PASSWORD))).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, PASSWORD);
    }
    return new TestCertificates(ks);
  }

  SSLContext serverContext() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, PASSWORD);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** Trusts this certificate only. */
  TrustManagerFactory trust() throws Exception {
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("server", keyStore.getCertificate("server"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore);
    return tmf;
  }
}
