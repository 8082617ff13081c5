package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.staking.receipt.ReceiptRejectedException.Reason;
import java.math.BigInteger;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Node side: decides whether a receipt is worth serving for. Split in two because a Bouncy
 * Castle Ed25519 verify (~50 us) costs more than the relay itself:
 *
 * <ul>
 *   <li>{@link #checkPolicy} — everything but the signature (domain, node, epoch, timestamp
 *       window, signer authorized and not revoked, signer is the authenticated sender, replay,
 *       payer risk limit): a few microseconds, run inline before forwarding.
 *   <li>{@link #checkSignature} — the signature; run on a worker pool
 *       ({@link #checkSignatureAsync}) while the upstream call is in flight, and always before
 *       the receipt is stored, so no unverified receipt ever enters a voucher request or claim.
 * </ul>
 *
 * {@link #verify} does both inline. Attestations are checked with {@link #checkAttestation}.
 */
public final class ReceiptVerifier {
  private final VerifierConfig config;
  private final Bytes self;
  private final SignerDirectory signers;
  private final RecentReceiptIds replay;
  private final Function<Account, BigInteger> unpaid;
  private final Clock clock;

  /**
   * @param self this node's peer id; receipts for any other node are rejected
   * @param unpaid the payer's value not yet covered by a voucher (e.g. the store's
   *     {@code unvoucheredValue})
   */
  public ReceiptVerifier(VerifierConfig config, PeerId self, SignerDirectory signers,
      RecentReceiptIds replay, Function<Account, BigInteger> unpaid, Clock clock) {
    this.config = config;
    this.self = Bytes.wrap(self.bytes());
    this.signers = signers;
    this.replay = replay;
    this.unpaid = unpaid;
    this.clock = clock;
  }

  /**
   * The epoch to file a receipt batch under in the store: that of now + the timestamp window, at
   * least the epoch of every receipt this verifier still admits, so deleting settled epochs never
   * removes a batch before the receipts it signs.
   */
  public long batchKeyEpoch() {
    long t = clock.millis() + config.timestampWindow().toMillis();
    return t < config.epochs().genesisMs() ? 0 : config.epochs().epochAt(t);
  }

  public static PaymentReceipt decode(byte[] wire) {
    try {
      return PaymentReceipt.decode(wire);
    } catch (RuntimeException e) {
      throw new ReceiptRejectedException(Reason.MALFORMED, e.getMessage());
    }
  }

  /** As {@link #decode}, also accepting a batched receipt (zero-length signature). */
  public static PaymentReceipt decodeMaybeBatched(byte[] wire) {
    try {
      return PaymentReceipt.decodeMaybeBatched(wire);
    } catch (RuntimeException e) {
      throw new ReceiptRejectedException(Reason.MALFORMED, e.getMessage());
    }
  }

  /** Full check inline; returns the receipt id. */
  public Bytes32 verify(PaymentReceipt r, Optional<PeerId> sender) {
    Bytes32 id = checkPolicy(r, sender);
    checkSignature(r);
    return id;
  }

  /**
   * Every check but the signature; also records the id so a replay is caught even before the
   * first copy is stored. Returns the receipt id.
   *
   * @param sender the authenticated remote peer the receipt arrived from, if known; when given it
   *     must be the signer (the gateway signs with its node key)
   */
  public Bytes32 checkPolicy(PaymentReceipt r, Optional<PeerId> sender) {
    if (!r.domain().equals(config.domain())) {
      throw new ReceiptRejectedException(Reason.WRONG_DOMAIN,
          "receipt is for " + r.domain() + ", this node is on " + config.domain());
    }
    if (!r.nodeId().equals(self)) {
      throw new ReceiptRejectedException(Reason.WRONG_NODE, "receipt names another node");
    }
    long now = clock.millis();
    long window = config.timestampWindow().toMillis();
    if (r.timestampMs() < now - window) {
      throw new ReceiptRejectedException(Reason.STALE_TIMESTAMP, "receipt timestamp "
          + r.timestampMs() + " is more than " + window + " ms before now (" + now + ")");
    }
    if (r.timestampMs() > now + window) {
      throw new ReceiptRejectedException(Reason.FUTURE_TIMESTAMP, "receipt timestamp "
          + r.timestampMs() + " is more than " + window + " ms after now (" + now + ")");
    }
    if (r.timestampMs() < config.epochs().genesisMs()
        || r.epoch() != config.epochs().epochAt(r.timestampMs())) {
      throw new ReceiptRejectedException(Reason.WRONG_EPOCH, "epoch " + r.epoch()
          + " does not contain timestamp " + r.timestampMs());
    }
    checkSigner(r.payer(), r.signerKey(), now);
    if (sender.isPresent()) {
      Optional<PubKey> key = Signatures.parseKey(r.signerKey());
      if (key.isEmpty() || !key.get().peerId().equals(sender.get())) {
        throw new ReceiptRejectedException(Reason.SIGNER_NOT_SENDER,
            "receipt signer is not the peer " + sender.get() + " that sent it");
      }
    }
    BigInteger exposure = unpaid.apply(r.payer()).add(r.value());
    if (exposure.compareTo(config.maxWillingToLose()) > 0) {
      throw new ReceiptRejectedException(Reason.PAYER_OVER_LIMIT, "payer " + r.payer()
          + " would owe " + exposure + " wei not covered by a voucher, over this node's max"
          + " willing to lose of " + config.maxWillingToLose() + " wei; not serving it until a"
          + " voucher covers its receipts");
    }
    Bytes32 id = r.id();
    if (!replay.firstSight(r.epoch(), id)) {
      throw new ReceiptRejectedException(Reason.REPLAY, "receipt " + id + " was already used");
    }
    return id;
  }

  /** Authorized and not revoked (a signer whose revocation is thawing still counts). */
  public void checkSigner(Account payer, Bytes signerKey, long nowMs) {
    switch (signers.signerStatus(payer, signerKey, nowMs)) {
      case ACTIVE, THAWING -> { }
      case REVOKED -> throw new ReceiptRejectedException(Reason.REVOKED_SIGNER,
          "signer key was revoked by payer " + payer);
      case UNKNOWN -> throw new ReceiptRejectedException(Reason.UNKNOWN_SIGNER,
          "signer key is not authorized by payer " + payer);
    }
  }

  public void checkSignature(PaymentReceipt r) {
    if (!Signatures.verify(r.signerKey(), r.signingBytes(), r.signature())) {
      throw new ReceiptRejectedException(Reason.BAD_SIGNATURE,
          "receipt signature does not verify under its signer key (payer " + r.payer() + ")");
    }
  }

  /** The signature check on {@code pool}, off the relay's event loop. */
  public CompletableFuture<PaymentReceipt> checkSignatureAsync(PaymentReceipt r, Executor pool) {
    return CompletableFuture.supplyAsync(() -> {
      checkSignature(r);
      return r;
    }, pool);
  }

  /** An attestation must be by the receipt's node, for this receipt, correctly signed. */
  public static void checkAttestation(PaymentReceipt r, ResponseAttestation a) {
    if (!a.domain().equals(r.domain())) {
      throw new ReceiptRejectedException(Reason.WRONG_DOMAIN, "attestation domain differs");
    }
    if (!a.receiptId().equals(r.id()) || !a.requestHash().equals(r.requestHash())
        || !a.chain().equals(r.chain())) {
      throw new ReceiptRejectedException(Reason.MALFORMED, "attestation is for another receipt");
    }
    Optional<PubKey> key = Signatures.parseKey(a.signerKey());
    if (key.isEmpty() || !Bytes.wrap(key.get().peerId().bytes()).equals(r.nodeId())) {
      throw new ReceiptRejectedException(Reason.WRONG_NODE,
          "attestation is not signed by the receipt's node");
    }
    if (!key.get().verify(a.signingBytes(), a.signature().toArrayUnsafe())) {
      throw new ReceiptRejectedException(Reason.BAD_SIGNATURE, "attestation signature invalid");
    }
  }
}
