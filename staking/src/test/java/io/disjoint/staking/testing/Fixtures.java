package io.disjoint.staking.testing;

import io.disjoint.p2p.crypto.Ed25519PrivateKey;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Fixed keys and a deterministic gateway/node pair for tests and vectors. */
public final class Fixtures {
  public static final NetworkDomain DOMAIN = new NetworkDomain("disjoint-test", 1);
  public static final EpochSchedule EPOCHS = new EpochSchedule(0, 3_600_000);
  public static final long T0 = 1_795_000_000_000L;
  public static final Account PAYER = Account.named("payer-1");

  private Fixtures() {}

  /** An Ed25519 key from a 32-byte seed derived from {@code name}. */
  public static PrivKey key(String name) {
    return Ed25519PrivateKey.fromSeed(Sha256.hash(name.getBytes(StandardCharsets.UTF_8)).toArray());
  }

  public static PrivKey gatewayKey() {
    return key("gateway-1");
  }

  public static PrivKey nodeKey() {
    return key("node-1");
  }

  public static ReceiptSigner signer(MutableClock clock, long seed) {
    return new ReceiptSigner(gatewayKey(), DOMAIN, PAYER, EPOCHS, clock, new Random(seed));
  }

  public static byte[] hash(String s) {
    return Sha256.hash(s.getBytes(StandardCharsets.UTF_8)).toArray();
  }

  public static PaymentReceipt receipt(ReceiptSigner signer, int i) {
    return signer.issue(nodeKey().peerId(), "eip155:1", hash("request-" + i), 20,
        BigInteger.valueOf(1_000_000_000L + i));
  }

  public static ResponseAttestation attest(PaymentReceipt r) {
    return new AttestationSigner(nodeKey(), DOMAIN).attest(r, hash("response-" + r.nonce()),
        21_000_000L, hash("block-21000000"));
  }
}
