package io.disjoint.relay.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code https://} and {@code wss://} upstreams: the JDK's TLS, certificates checked
 * against a trust store (the JVM's default unless one is given: the default honours
 * {@code -Djavax.net.ssl.trustStore=...}, for an operator's private CA) and the host name checked
 * against the certificate (RFC 2818 / 6125, as browsers do), with SNI. Nothing here is ever
 * relaxed: a certificate that does not check out fails the connection.
 */
public final class UpstreamTls {
  private static final UpstreamTls SYSTEM = new UpstreamTls(Optional.empty());

  private final Optional<TrustManagerFactory> trust;
  private volatile SslContext context;

  private UpstreamTls(Optional<TrustManagerFactory> trust) {
    this.trust = trust;
  }

  /** The JVM's default trust store. */
  public static UpstreamTls systemTrust() {
    return SYSTEM;
  }

  /** Trust exactly what {@code trust} trusts (a private CA, a test certificate). */
  public static UpstreamTls trusting(TrustManagerFactory trust) {
    return new UpstreamTls(Optional.of(Objects.requireNonNull(trust, "trust")));
  }

  /** A handler for a new connection to {@code host:port}, verifying that host name. */
  SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    SslHandler handler = context().newHandler(alloc, host, port);
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(params);
    return handler;
  }

  private SslContext context() {
    SslContext c = context;
    if (c == null) {
      synchronized (this) {
        c = context;
        if (c == null) {
          try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            trust.ifPresent(b::trustManager);
            c = b.build();
          } catch (SSLException e) {
            throw new UpstreamException("cannot set up TLS for the upstream: " + e.getMessage(), false);
          }
          context = c;
        }
      }
    }
    return c;
  }

  /** One line on why a handshake failed (certificate path, host name, protocol), without a stack. */
  static String describe(Throwable cause) {
    Throwable t = cause;
    String message = String.valueOf(t.getMessage());
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message;
  }
}
