package io.disjoint.p2p.noise;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The Noise XX handshake (Noise spec rev 34, sections 5.3 and 7.5) for
 * Noise_XX_25519_ChaChaPoly_SHA256:
 *
 * <pre>
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 * </pre>
 *
 * Messages are processed strictly in turn; after the third, {@link #split()} yields the transport
 * ciphers. Not thread-safe.
 */
public final class HandshakeState {
  public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
  /** Noise messages are at most 65535 bytes. */
  public static final int MAX_MESSAGE_LENGTH = 65535;

  private final boolean initiator;
  private final SymmetricState symmetric;
  private final X25519.KeyPair32 localStatic;
  private final Supplier<X25519.KeyPair32> ephemeralSource;
  private X25519.KeyPair32 localEphemeral;
  private byte[] remoteStatic;
  private byte[] remoteEphemeral;
  private int messageIndex;

  public HandshakeState(
      boolean initiator,
      byte[] prologue,
      X25519.KeyPair32 localStatic,
      Supplier<X25519.KeyPair32> ephemeralSource) {
    this.initiator = initiator;
    this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
    this.ephemeralSource = Objects.requireNonNull(ephemeralSource, "ephemeralSource");
    this.symmetric = new SymmetricState(PROTOCOL_NAME);
    symmetric.mixHash(prologue);
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** True when it is this side's turn to write. */
  public boolean isMyTurn() {
    return messageIndex < 3 && ((messageIndex % 2 == 0) == initiator);
  }

  public boolean isComplete() {
    return messageIndex == 3;
  }

  /** The remote static X25519 key once the message carrying it has been read. */
  public byte[] remoteStaticKey() {
    if (remoteStatic == null) {
      throw new IllegalStateException("remote static key not received yet");
    }
    return remoteStatic.clone();
  }

  public byte[] localStaticPublicKey() {
    return localStatic.publicKey();
  }

  public byte[] handshakeHash() {
    return symmetric.handshakeHash();
  }

  /** Writes the next handshake message carrying {@code payload}. */
  public byte[] writeMessage(byte[] payload) {
    if (!isMyTurn()) {
      throw new IllegalStateException("not this side's turn to write (message " + messageIndex + ")");
    }
    Builder out = new Builder();
    switch (messageIndex) {
      case 0 -> writeE(out);
      case 1 -> {
        writeE(out);
        symmetric.mixKey(X25519.agree(localEphemeral.privateKey(), remoteEphemeral)); // ee
        out.add(symmetric.encryptAndHash(localStatic.publicKey())); // s
        symmetric.mixKey(X25519.agree(localStatic.privateKey(), remoteEphemeral)); // es (responder)
      }
      case 2 -> {
        out.add(symmetric.encryptAndHash(localStatic.publicKey())); // s
        symmetric.mixKey(X25519.agree(localStatic.privateKey(), remoteEphemeral)); // se (initiator)
      }
      default -> throw new IllegalStateException("handshake already complete");
    }
    out.add(symmetric.encryptAndHash(payload));
    messageIndex++;
    byte[] message = out.toArray();
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw new IllegalArgumentException("handshake message over 65535 bytes");
    }
    return message;
  }

  /**
   * Reads the next handshake message and returns its payload.
   *
   * @throws NoiseException (peer fault) if the message is malformed or fails authentication
   */
  public byte[] readMessage(byte[] message) {
    if (isMyTurn() || isComplete()) {
      throw new IllegalStateException("not this side's turn to read (message " + messageIndex + ")");
    }
    Reader in = new Reader(message);
    switch (messageIndex) {
      case 0 -> readE(in);
      case 1 -> {
        readE(in);
        symmetric.mixKey(X25519.agree(localEphemeral.privateKey(), remoteEphemeral)); // ee
        remoteStatic = symmetric.decryptAndHash(in.take(X25519.KEY_LENGTH + CipherState.TAG_LENGTH, "s")); // s
        symmetric.mixKey(X25519.agree(localEphemeral.privateKey(), remoteStatic)); // es (initiator)
      }
      case 2 -> {
        remoteStatic = symmetric.decryptAndHash(in.take(X25519.KEY_LENGTH + CipherState.TAG_LENGTH, "s")); // s
        symmetric.mixKey(X25519.agree(localEphemeral.privateKey(), remoteStatic)); // se (responder)
      }
      default -> throw new IllegalStateException("handshake already complete");
    }
    byte[] rest = in.rest();
    if (symmetric.hasKey() && rest.length < CipherState.TAG_LENGTH) {
      throw NoiseException.peer("handshake message " + (messageIndex + 1) + " too short for its payload tag");
    }
    byte[] payload = symmetric.decryptAndHash(rest);
    messageIndex++;
    return payload;
  }

  /** Transport ciphers after the third message: {@code [send, receive]} from this side's view. */
  public CipherState[] split() {
    if (!isComplete()) {
      throw new IllegalStateException("handshake not complete");
    }
    CipherState[] pair = symmetric.split();
    return initiator ? pair : new CipherState[] {pair[1], pair[0]};
  }

  private void writeE(Builder out) {
    localEphemeral = ephemeralSource.get();
    byte[] e = localEphemeral.publicKey();
    out.add(e);
    symmetric.mixHash(e);
  }

  private void readE(Reader in) {
    remoteEphemeral = in.take(X25519.KEY_LENGTH, "e");
    symmetric.mixHash(remoteEphemeral);
  }

  private static final class Builder {
    private byte[] buf = new byte[128];
    private int len;

    void add(byte[] b) {
      if (len + b.length > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + b.length));
      }
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    byte[] toArray() {
      return java.util.Arrays.copyOf(buf, len);
    }
  }

  private final class Reader {
    private final byte[] msg;
    private int pos;

    Reader(byte[] msg) {
      this.msg = msg;
    }

    byte[] take(int n, String token) {
      if (msg.length - pos < n) {
        throw NoiseException.peer("handshake message " + (messageIndex + 1) + " too short for token " + token);
      }
      byte[] out = java.util.Arrays.copyOfRange(msg, pos, pos + n);
      pos += n;
      return out;
    }

    byte[] rest() {
      byte[] out = java.util.Arrays.copyOfRange(msg, pos, msg.length);
      pos = msg.length;
      return out;
    }
  }
}
