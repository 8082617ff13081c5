package io.disjoint.relay.directory;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.relay.directory.pb.HelloProto;
import io.disjoint.relay.protocol.RelayProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes, signs and verifies hellos. The signature covers {@code "disjoint-hello/1:" || hello}
 * (the exact serialized Hello bytes carried in SignedHello.hello), so a hello can be attributed to
 * the node key and cannot be replayed as any other signed object of the project.
 */
public final class HelloCodec {
  public static final String PROTOCOL_ID = "/disjoint/hello/1.0.0";
  /** Largest SignedHello frame accepted. */
  public static final int MAX_SIGNED_HELLO = 8 * 1024;
  static final byte[] SIGNING_PREFIX = "disjoint-hello/1:".getBytes(StandardCharsets.US_ASCII);

  private HelloCodec() {}

  /** The SignedHello protobuf bytes of {@code hello}, signed with the node key. */
  public static byte[] sign(HelloMessage hello, PrivKey key) {
    HelloProto.Hello.Builder h = HelloProto.Hello.newBuilder().setTimestampUnixMs(hello.timestampUnixMs());
    hello.heads().forEach((chain, head) -> {
      HelloProto.ChainHead.Builder c = HelloProto.ChainHead.newBuilder().setChain(chain);
      if (head >= 0) {
        c.setHeadNumber(head);
      }
      h.addChains(c);
    });
    FailureDomain d = hello.domain();
    h.setDomain(HelloProto.FailureDomainClaim.newBuilder()
        .setProvider(wire(d.provider())).setRegion(wire(d.region())).setCountry(wire(d.country()))
        .setOperator(wire(d.operator())).setAsn((int) d.asn()));
    byte[] helloBytes = h.build().toByteArray();
    return HelloProto.SignedHello.newBuilder()
        .setPublicKey(ByteString.copyFrom(key.publicKey().marshal()))
        .setHello(ByteString.copyFrom(helloBytes))
        .setSignature(ByteString.copyFrom(key.sign(signingInput(helloBytes))))
        .build()
        .toByteArray();
  }

  private static String wire(String value) {
    return FailureDomain.UNKNOWN_VALUE.equals(value) ? "" : value;
  }

  /**
   * Verifies a SignedHello received on a stream from {@code remote}: the key must be the
   * remote's, the signature valid, the fields valid.
   *
   * @throws RelayProtocolException naming what is wrong (the peer is at fault)
   */
  public static HelloMessage verify(byte[] signedHello, PeerId remote) {
    HelloProto.SignedHello signed;
    HelloProto.Hello hello;
    try {
      signed = HelloProto.SignedHello.parseFrom(signedHello);
      hello = HelloProto.Hello.parseFrom(signed.getHello());
    } catch (InvalidProtocolBufferException e) {
      throw new RelayProtocolException("undecodable hello: " + e.getMessage(), e);
    }
    PubKey key;
    try {
      key = PubKey.unmarshal(signed.getPublicKey().toByteArray());
    } catch (RuntimeException e) {
      throw new RelayProtocolException("hello carries an invalid public key: " + e.getMessage(), e);
    }
    if (!key.peerId().equals(remote)) {
      throw new RelayProtocolException("hello signed by " + key.peerId() + " arrived from " + remote);
    }
    if (!key.verify(signingInput(signed.getHello().toByteArray()), signed.getSignature().toByteArray())) {
      throw new RelayProtocolException("hello signature does not verify");
    }
    try {
      Map<String, Long> heads = new LinkedHashMap<>();
      for (HelloProto.ChainHead c : hello.getChainsList()) {
        long head = c.hasHeadNumber() ? c.getHeadNumber() : -1;
        if (c.hasHeadNumber() && head < 0) {
          throw new IllegalArgumentException("head number above 2^63");
        }
        if (heads.put(c.getChain(), head) != null) {
          throw new IllegalArgumentException("chain " + c.getChain() + " listed twice");
        }
      }
      HelloProto.FailureDomainClaim d = hello.getDomain();
      FailureDomain domain = new FailureDomain(d.getProvider(), d.getRegion(), d.getCountry(), d.getOperator(),
          Integer.toUnsignedLong(d.getAsn()));
      return new HelloMessage(hello.getTimestampUnixMs(), heads, domain);
    } catch (IllegalArgumentException e) {
      throw new RelayProtocolException("invalid hello: " + e.getMessage(), e);
    }
  }

  private static byte[] signingInput(byte[] helloBytes) {
    byte[] input = new byte[SIGNING_PREFIX.length + helloBytes.length];
    System.arraycopy(SIGNING_PREFIX, 0, input, 0, SIGNING_PREFIX.length);
    System.arraycopy(helloBytes, 0, input, SIGNING_PREFIX.length, helloBytes.length);
    return input;
  }
}
