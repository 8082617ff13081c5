package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.Ed25519PrivateKey;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.claim.EpochClaimBuilder;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.RecentReceiptIds;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.SignatureSampler;
import io.disjoint.staking.receipt.SignerDirectory;
import io.disjoint.staking.receipt.VerifierConfig;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.StoredReceipt;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving node's payment with lazy attestations and sampled receipt signatures, on a real
 * RocksDB store: an attestation is signed only when the request asks; a forged receipt that
 * escapes the sample is stored but never claimed; a sampled forged receipt refuses the gateway.
 */
class LazySampledPaymentTest {
  private static final NetworkDomain NETWORK = new NetworkDomain("disjoint-test", 1);
  private static final String CHAIN = "eip155:31337";
  private static final byte[] BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private final PrivKey gatewayKey = Ed25519PrivateKey.fromSeed(new byte[32]);
  private final PrivKey nodeKey = Ed25519PrivateKey.fromSeed(Sha256.hash(new byte[] {1}).toArray());
  private final String gatewayPeer = gatewayKey.publicKey().peerId().toBase58();
  private final Account payer = Account.named("payer");
  private final ReceiptSigner gateway = new ReceiptSigner(gatewayKey, NETWORK, payer, EpochSchedule.HOURLY, clock, new Random(1));
  private final AttestationSigner attestations = new AttestationSigner(nodeKey, NETWORK);
  private ReceiptStore store;
  private ReceiptVerifier verifier;

  @BeforeEach
  void open() {
    store = ReceiptStore.open(dir, NETWORK.networkId(), StoreConfig.DEFAULTS);
    SignerDirectory signers = (p, key, now) -> p.equals(payer) && key.equals(Bytes.wrap(gatewayKey.publicKey().marshal()))
        ? SignerDirectory.SignerStatus.ACTIVE : SignerDirectory.SignerStatus.UNKNOWN;
    verifier = new ReceiptVerifier(VerifierConfig.defaults(NETWORK, EpochSchedule.HOURLY), nodeKey.publicKey().peerId(),
        signers, new RecentReceiptIds(store::contains, clock, 120_000), store::unvoucheredValue, clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** A Random whose draws always (0) or never (bound - 1) pick a receipt for checking. */
  private static Random fixedDraw(boolean pick) {
    return new Random() {
      @Override
      public int nextInt(int bound) {
        return pick ? 0 : bound - 1;
      }
    };
  }

  private StakingServingPayment serving(boolean sampleEverything) {
    return StakingServingPayment.deferred(verifier, attestations, store, Runnable::run,
        new SignatureSampler(32, 0, fixedDraw(sampleEverything)));
  }

  private PaymentReceipt receipt() {
    return gateway.issue(nodeKey.publicKey().peerId(), CHAIN, Sha256.hash(BODY).toArray(), 10, BigInteger.valueOf(1_000));
  }

  private static PaymentReceipt forge(PaymentReceipt r) {
    byte[] sig = r.signature().toArray();
    sig[sig.length - 1] ^= 1;
    return r.withSignature(Bytes.wrap(sig));
  }

  private RelayRequest request(PaymentReceipt r, boolean signAttestation) {
    return new RelayRequest(1, CHAIN, BODY, clock.millis() + 5_000, r.encode(), signAttestation);
  }

  private List<StoredReceipt> stored(long expected) throws InterruptedException {
    LongSupplier count = () -> {
      long[] n = {0};
      store.forEachReceipt(s -> n[0]++);
      return n[0];
    };
    long until = System.nanoTime() + 10_000_000_000L;
    while (count.getAsLong() < expected && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    List<StoredReceipt> all = new ArrayList<>();
    store.forEachReceipt(all::add);
    return all;
  }

  @Test
  void theAttestationIsSignedOnlyWhenTheRequestAsksAndKeptUnsignedOtherwise() throws Exception {
    StakingServingPayment serving = serving(true);
    PaymentReceipt quiet = receipt();
    assertArrayEquals(new byte[0], serving.admit(gatewayPeer, request(quiet, false)).settle(ANSWER, 7, new byte[32]),
        "no attestation unless asked");
    PaymentReceipt asked = receipt();
    byte[] wire = serving.admit(gatewayPeer, request(asked, true)).settle(ANSWER, 7, new byte[32]);
    ResponseAttestation signed = ResponseAttestation.decode(wire);
    ReceiptVerifier.checkAttestation(asked, signed);
    assertEquals(Sha256.hash(ANSWER), signed.responseHash());
    assertEquals(1, serving.attestationsSigned());

    List<StoredReceipt> all = stored(2);
    assertEquals(2, all.size());
    StoredReceipt keptQuiet = all.stream().filter(s -> s.id().equals(quiet.id())).findFirst().orElseThrow();
    StoredReceipt keptAsked = all.stream().filter(s -> s.id().equals(asked.id())).findFirst().orElseThrow();
    assertFalse(keptQuiet.attestation().isSigned(), "stored with the not-yet-signed marker");
    assertEquals(7, keptQuiet.attestation().blockNumber());
    assertEquals(Sha256.hash(ANSWER), keptQuiet.attestation().responseHash());
    assertEquals(signed, keptAsked.attestation());
    ReceiptVerifier.checkAttestation(quiet, attestations.sign(keptQuiet.attestation()));
  }

  @Test
  void anAnswerWithoutASignedAttestationStillCarriesTheHead() {
    String blockHash = "0x" + "ab".repeat(32);
    io.disjoint.relay.upstream.UpstreamClient upstream = new io.disjoint.relay.upstream.UpstreamClient() {
      @Override
      public java.util.concurrent.CompletableFuture<byte[]> send(byte[] requestJson, java.time.Duration timeout) {
        return java.util.concurrent.CompletableFuture.completedFuture(ANSWER);
      }

      @Override
      public io.disjoint.relay.upstream.Head head() {
        return new io.disjoint.relay.upstream.Head(4242, blockHash, java.time.Instant.now());
      }

      @Override
      public void close() {}
    };
    RelayService service = new RelayService(java.util.Map.of(CHAIN, upstream), serving(false), Runnable::run, clock);
    RelayResponse quiet = service.handle(gatewayPeer, request(receipt(), false)).join();
    assertEquals(RelayStatus.OK, quiet.status(), quiet::toString);
    assertEquals(0, quiet.attestation().length);
    assertEquals(4242, quiet.headNumber());
    assertEquals(blockHash.substring(2), java.util.HexFormat.of().formatHex(quiet.headHash()));
    RelayResponse asked = service.handle(gatewayPeer, request(receipt(), true)).join();
    ResponseAttestation signed = ResponseAttestation.decode(asked.attestation());
    assertEquals(4242, signed.blockNumber());
    assertEquals(blockHash.substring(2), signed.blockHash().toUnprefixedHexString());
  }

  @Test
  void aForgedReceiptThatEscapesTheSampleIsStoredButNeverReachesAClaim() throws Exception {
    StakingServingPayment serving = serving(false);
    List<PaymentReceipt> good = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      good.add(receipt());
      serving.admit(gatewayPeer, request(good.get(i), false)).settle(ANSWER, 7, new byte[32]);
    }
    PaymentReceipt forged = forge(receipt());
    serving.admit(gatewayPeer, request(forged, false)).settle(ANSWER, 7, new byte[32]);
    assertEquals(6, stored(6).size());
    assertEquals(0, serving.signaturesChecked(), "nothing sampled");
    assertEquals(6, serving.storedUnchecked());
    assertEquals(0, serving.badSignatures());

    EpochClaimBuilder.Built claim = EpochClaimBuilder.build(store, forged.epoch(), payer,
        Bytes.wrap(nodeKey.publicKey().peerId().bytes())).orElseThrow();
    assertEquals(List.of(forged.id()), claim.rejected(), "caught by the claim builder's own check");
    assertEquals(5, claim.claim().leafCount());
    assertEquals(50, claim.claim().root().sum());
  }

  @Test
  void aSampledForgedReceiptIsNotStoredAndTheGatewayIsRefusedFromThenOn() throws Exception {
    StakingServingPayment serving = serving(true);
    PaymentReceipt ok = receipt();
    serving.admit(gatewayPeer, request(ok, false)).settle(ANSWER, 7, new byte[32]);
    serving.admit(gatewayPeer, request(forge(receipt()), false)).settle(ANSWER, 7, new byte[32]);
    assertEquals(2, serving.signaturesChecked());
    assertEquals(1, serving.badSignatures());
    List<StoredReceipt> all = stored(1);
    assertEquals(List.of(ok.id()), all.stream().map(StoredReceipt::id).toList(), "the forged receipt is never stored");
    PaymentRejectedException refused = assertThrows(PaymentRejectedException.class,
        () -> serving.admit(gatewayPeer, request(receipt(), false)));
    assertTrue(refused.getMessage().contains("bad signature"), refused.getMessage());
  }

  @Test
  void answeredReceiptsWaitingForAWorkerShareOneWakeUp() throws Exception {
    List<Runnable> tasks = new ArrayList<>();
    StakingServingPayment serving = StakingServingPayment.deferred(verifier, attestations, store, tasks::add,
        new SignatureSampler(2, 0, new Random(9)));
    List<PaymentReceipt> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(receipt());
      serving.admit(gatewayPeer, request(sent.get(i), false)).settle(ANSWER, 7, new byte[32]);
    }
    assertEquals(1, tasks.size(), "ten answers queued behind one drain task");
    tasks.remove(0).run();
    assertEquals(10, serving.signaturesChecked() + serving.storedUnchecked());
    assertTrue(serving.signaturesChecked() > 0 && serving.storedUnchecked() > 0, "one in two drawn");
    assertEquals(sent.stream().map(PaymentReceipt::id).collect(java.util.stream.Collectors.toSet()),
        stored(10).stream().map(StoredReceipt::id).collect(java.util.stream.Collectors.toSet()));
    serving.admit(gatewayPeer, request(receipt(), false)).settle(ANSWER, 7, new byte[32]);
    assertEquals(1, tasks.size(), "the next answer wakes a worker again");
  }

  @Test
  void aRefusedHandOffDoesNotStrandLaterReceipts() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
    StakingServingPayment serving = StakingServingPayment.deferred(verifier, attestations, store, task -> {
      if (refuse.get()) {
        throw new java.util.concurrent.RejectedExecutionException("shutting down");
      }
      task.run();
    }, new SignatureSampler(32, 0, fixedDraw(false)));
    serving.admit(gatewayPeer, request(receipt(), false)).settle(ANSWER, 7, new byte[32]);
    refuse.set(false);
    serving.admit(gatewayPeer, request(receipt(), false)).settle(ANSWER, 7, new byte[32]);
    assertEquals(2, stored(2).size(), "the second hand-off drains the first receipt too");
  }

  @Test
  void concurrentAnswersAreAllStoredExactlyOnce() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      StakingServingPayment serving = StakingServingPayment.deferred(verifier, attestations, store, pool,
          new SignatureSampler(8, 0, new Random(4)));
      int perThread = 250;
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread th = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            serving.admit(gatewayPeer, request(receipt(), false)).settle(ANSWER, 7, new byte[32]);
          }
        });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertEquals(4 * perThread, stored(4 * perThread).size());
      assertEquals(4 * perThread, serving.signaturesChecked() + serving.storedUnchecked());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theGatewayAsksForEvidenceAlwaysAndAuditsAShareAndChecksWhatComesBack() {
    StakingGatewayPayment payment = new StakingGatewayPayment(gateway, BigInteger.ONE, 4, new Random(42));
    int audited = 0;
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      assertTrue(payment.wantsSignedAttestation(true));
      if (payment.wantsSignedAttestation(false)) {
        audited++;
      }
    }
    double sd = Math.sqrt(draws * 0.25 * 0.75);
    assertTrue(Math.abs(audited - draws / 4.0) < 5 * sd, "one in 4: " + audited + " of " + draws);

    PaymentReceipt r = receipt();
    ResponseAttestation a = attestations.attest(r, Sha256.hash(ANSWER).toArray(), 7, new byte[32]);
    payment.onAttestation(nodeKey.publicKey().peerId().toBase58(), r.encode(), a.encode());
    assertEquals(1, payment.attestationsChecked());
    assertEquals(0, payment.badAttestations());
    PaymentReceipt other = receipt();
    payment.onAttestation(nodeKey.publicKey().peerId().toBase58(), other.encode(), a.encode());
    assertEquals(1, payment.badAttestations(), "an attestation for another receipt does not check");
    assertTrue(new StakingGatewayPayment(gateway, BigInteger.ONE).wantsSignedAttestation(false),
        "the two-argument constructor asks every time");
  }
}
