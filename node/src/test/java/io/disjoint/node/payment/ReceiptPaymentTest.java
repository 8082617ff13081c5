package io.disjoint.node.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.DataDir;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.PaymentRejectedException;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.ServingPayment;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.ReceiptStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's payment wiring: receipts signed by a gateway key for its key-derived account are
 * accepted, stored once and attested by the serving side on a real store; forged, replayed,
 * mismatched and missing receipts are refused.
 */
class ReceiptPaymentTest {
  private static final String CHAIN = "eip155:31337";

  @Test
  void aReceiptForThisBodyIsStoredOnceAndAttested(@TempDir Path dir) throws Exception {
    Clock clock = Clock.systemUTC();
    PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey otherGatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw2.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519);
    String gatewayPeer = gatewayKey.publicKey().peerId().toBase58();
    String nodePeer = nodeKey.publicKey().peerId().toBase58();
    // Receipts signed one by one: these tests are about per-receipt signatures (sampling, forgery).
    GatewayPayment gateway = PaymentWiring.gateway(gatewayKey, clock, ReceiptSampling.DEFAULTS.withBatchSignatures(false));

    try (ReceiptStore store = PaymentWiring.openStore(new DataDir(dir))) {
      ServingPayment serving = PaymentWiring.serving(nodeKey, store, clock);

      byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
      byte[] receipt = gateway.receiptFor(nodePeer, CHAIN, body, 10);
      RelayRequest request = new RelayRequest(1, CHAIN, body, clock.millis() + 5_000, receipt, true);
      byte[] attestation = serving.admit(gatewayPeer, request)
          .settle("{\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8), 7, new byte[32]);
      ResponseAttestation a = ResponseAttestation.decode(attestation);
      assertEquals(7, a.blockNumber());

      long[] stored = {0};
      store.forEachReceipt(r -> stored[0]++);
      assertEquals(1, stored[0]);
      assertEquals(PaymentWiring.PRICE_PER_COMPUTE_UNIT.multiply(BigInteger.TEN), store.summary().get(0).value(),
          "10 compute units at the network's price");

      PaymentRejectedException replay = assertThrows(PaymentRejectedException.class, () -> serving.admit(gatewayPeer, request));
      assertTrue(replay.getMessage().contains("already used"), replay.getMessage());

      byte[] other = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_gasPrice\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
      RelayRequest swapped = new RelayRequest(2, CHAIN, other, clock.millis() + 5_000, gateway.receiptFor(nodePeer, CHAIN, body, 10));
      assertTrue(assertThrows(PaymentRejectedException.class, () -> serving.admit(gatewayPeer, swapped))
          .getMessage().contains("request hash"));

      RelayRequest forwarded = new RelayRequest(3, CHAIN, body, clock.millis() + 5_000, gateway.receiptFor(nodePeer, CHAIN, body, 10));
      String stranger = otherGatewayKey.publicKey().peerId().toBase58();
      assertTrue(assertThrows(PaymentRejectedException.class, () -> serving.admit(stranger, forwarded))
          .getMessage().contains("not the peer"));

      RelayRequest unpaid = new RelayRequest(4, CHAIN, body, clock.millis() + 5_000, new byte[0]);
      assertTrue(assertThrows(PaymentRejectedException.class, () -> serving.admit(gatewayPeer, unpaid))
          .getMessage().contains("only with a payment receipt"));

      stored[0] = 0;
      store.forEachReceipt(r -> stored[0]++);
      assertEquals(1, stored[0], "rejected receipts are never stored");
    }
  }

  private static long waitFor(LongSupplier value, long expected) throws InterruptedException {
    long until = System.nanoTime() + 10_000_000_000L;
    while (value.getAsLong() != expected && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    return value.getAsLong();
  }

  @Test
  void deferredModeAnswersFirstThenStoresOnlyVerifiedReceiptsAndRefusesAGatewayThatSignedBadly(@TempDir Path dir)
      throws Exception {
    Clock clock = Clock.systemUTC();
    PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519);
    String gatewayPeer = gatewayKey.publicKey().peerId().toBase58();
    String nodePeer = nodeKey.publicKey().peerId().toBase58();
    // Receipts signed one by one: these tests are about per-receipt signatures (sampling, forgery).
    GatewayPayment gateway = PaymentWiring.gateway(gatewayKey, clock, ReceiptSampling.DEFAULTS.withBatchSignatures(false));
    ExecutorService verifyPool = Executors.newVirtualThreadPerTaskExecutor();
    try (ReceiptStore store = PaymentWiring.openStore(new DataDir(dir))) {
      io.disjoint.relay.protocol.StakingServingPayment serving = PaymentWiring.serving(nodeKey, store, clock, verifyPool);
      assertTrue(serving.nonBlocking(), "the relay service may call it on its event loop");
      LongSupplier stored = () -> {
        long[] n = {0};
        store.forEachReceipt(r -> n[0]++);
        return n[0];
      };
      byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
      byte[] answer = "{\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 5; i++) {
        RelayRequest request = new RelayRequest(i, CHAIN, body, clock.millis() + 5_000, gateway.receiptFor(nodePeer, CHAIN, body, 10),
            true);
        assertEquals(3, ResponseAttestation.decode(serving.admit(gatewayPeer, request).settle(answer, 3, new byte[32])).blockNumber());
      }
      assertEquals(5, waitFor(stored, 5), "every answered receipt with a good signature is stored");

      // the signature's last byte flipped: the policy checks pass, the deferred check does not
      // (the defaults check the first 8 receipts of each gateway, so this 6th one is checked)
      byte[] forged = gateway.receiptFor(nodePeer, CHAIN, body, 10);
      forged[forged.length - 1] ^= 1;
      RelayRequest bad = new RelayRequest(9, CHAIN, body, clock.millis() + 5_000, forged);
      serving.admit(gatewayPeer, bad).settle(answer, 3, new byte[32]);
      assertEquals(1, waitFor(serving::badSignatures, 1));
      assertEquals(5, stored.getAsLong(), "a receipt that fails its signature check is never stored");
      RelayRequest next = new RelayRequest(10, CHAIN, body, clock.millis() + 5_000, gateway.receiptFor(nodePeer, CHAIN, body, 10));
      assertTrue(assertThrows(PaymentRejectedException.class, () -> serving.admit(gatewayPeer, next))
          .getMessage().contains("bad signature"));
    } finally {
      verifyPool.shutdownNow();
    }
  }

  @Test
  void withTheDefaultsOnlyTheFirstReceiptsAndASampleAreCheckedAndAttestationsAreSignedOnRequest(@TempDir Path dir)
      throws Exception {
    Clock clock = Clock.systemUTC();
    PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519);
    String gatewayPeer = gatewayKey.publicKey().peerId().toBase58();
    String nodePeer = nodeKey.publicKey().peerId().toBase58();
    // Receipts signed one by one: these tests are about per-receipt signatures (sampling, forgery).
    GatewayPayment gateway = PaymentWiring.gateway(gatewayKey, clock, ReceiptSampling.DEFAULTS.withBatchSignatures(false));
    ReceiptSampling sampling = new ReceiptSampling(32, 3, 64);
    // draws that never pick: only the first three receipts of the gateway are checked
    java.util.Random never = new java.util.Random() {
      @Override
      public int nextInt(int bound) {
        return bound - 1;
      }
    };
    try (ReceiptStore store = PaymentWiring.openStore(new DataDir(dir))) {
      io.disjoint.relay.protocol.StakingServingPayment serving =
          PaymentWiring.serving(nodeKey, store, clock, Runnable::run, sampling, never);
      byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
      byte[] answer = "{\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8);
      int asked = 0;
      for (int i = 0; i < 20; i++) {
        boolean sign = i % 5 == 0;
        asked += sign ? 1 : 0;
        RelayRequest request = new RelayRequest(i, CHAIN, body, clock.millis() + 5_000, gateway.receiptFor(nodePeer, CHAIN, body, 10),
            sign);
        byte[] attestation = serving.admit(gatewayPeer, request).settle(answer, 3, new byte[32]);
        assertEquals(sign, attestation.length > 0, "request " + i);
      }
      assertEquals(3, serving.signaturesChecked());
      assertEquals(17, serving.storedUnchecked());
      assertEquals(asked, serving.attestationsSigned());
      LongSupplier stored = () -> {
        long[] n = {0};
        store.forEachReceipt(r -> n[0]++);
        return n[0];
      };
      assertEquals(20, waitFor(stored, 20));
    }
    assertEquals(new ReceiptSampling(32, 8, 64), ReceiptSampling.DEFAULTS);
    assertThrows(IllegalArgumentException.class, () -> new ReceiptSampling(0, 8, 64));
  }

  @Test
  void theDefaultGatewayBatchesItsSignaturesAndTheNodeStoresEachReceiptUnderItsBatch(@TempDir Path dir) throws Exception {
    Clock clock = Clock.systemUTC();
    PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519);
    String gatewayPeer = gatewayKey.publicKey().peerId().toBase58();
    String nodePeer = nodeKey.publicKey().peerId().toBase58();
    io.disjoint.relay.protocol.StakingGatewayPayment gateway = PaymentWiring.gateway(gatewayKey, clock);
    assertTrue(gateway.batching(), "batched gateway signatures are the default");
    ExecutorService verifyPool = Executors.newFixedThreadPool(2);
    try (ReceiptStore store = PaymentWiring.openStore(new DataDir(dir.resolve("node")));
        ReceiptStore strictStore = PaymentWiring.openStore(new DataDir(dir.resolve("strict")))) {
      io.disjoint.relay.protocol.StakingServingPayment serving = PaymentWiring.serving(nodeKey, store, clock, verifyPool);
      // The gateway's idle flush, delivered straight to the node (the relay stream's part).
      gateway.useTransport((peer, request) -> {
        assertTrue(request.batchOnly());
        serving.acceptBatch(gatewayPeer, request.receiptBatch());
        return java.util.concurrent.CompletableFuture.completedFuture(
            io.disjoint.relay.protocol.RelayResponse.batchAccepted(request.requestId()));
      });
      byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
      byte[] answer = "{\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 5; i++) {
        byte[] receipt = gateway.receiptFor(nodePeer, CHAIN, body, 10);
        assertEquals(0, receipt[receipt.length - 1], "travels with a zero-length signature");
        serving.admit(gatewayPeer, new RelayRequest(i, CHAIN, body, clock.millis() + 5_000, receipt, false))
            .settle(answer, 3, new byte[32]);
        gateway.onReceiptAccepted(nodePeer, receipt); // what the router reports after an OK answer
      }
      LongSupplier stored = () -> {
        long[] n = {0};
        store.forEachReceipt(r -> n[0]++);
        return n[0];
      };
      assertEquals(5, waitFor(stored, 5), "stored once the flushed batch arrived");
      store.forEachReceipt(r -> assertTrue(store.membership(r).orElseThrow().authenticates(r.receipt())));
      assertEquals(1, serving.batchesAccepted());
      assertEquals(0, serving.signaturesChecked(), "no per-receipt signature to check");

      ServingPayment strict = PaymentWiring.serving(nodeKey, strictStore, clock);
      RelayRequest unsigned = new RelayRequest(9, CHAIN, body, clock.millis() + 5_000,
          gateway.receiptFor(nodePeer, CHAIN, body, 10), false);
      PaymentRejectedException refused = assertThrows(PaymentRejectedException.class, () -> strict.admit(gatewayPeer, unsigned));
      assertTrue(refused.getMessage().contains("unsigned receipt"), refused.getMessage());
      gateway.onReceiptRejected(nodePeer, unsigned.paymentReceipt(), refused.getMessage());
      byte[] signed = gateway.receiptFor(nodePeer, CHAIN, body, 10);
      assertTrue(signed[signed.length - 65] == 64, "signed on its own after the refusal (Ed25519: 64-byte signature)");
      strict.admit(gatewayPeer, new RelayRequest(10, CHAIN, body, clock.millis() + 5_000, signed, false))
          .settle(answer, 3, new byte[32]);
    } finally {
      verifyPool.shutdownNow();
    }
  }

  @Test
  void aKeyMaySignOnlyForItsOwnAccount(@TempDir Path dir) {
    PrivKey a = KeyFiles.loadOrCreate(dir.resolve("a.key"), KeyType.ED25519);
    PrivKey b = KeyFiles.loadOrCreate(dir.resolve("b.key"), KeyType.ED25519);
    Bytes ka = Bytes.wrap(a.publicKey().marshal());
    Bytes kb = Bytes.wrap(b.publicKey().marshal());
    KeyDerivedSigners signers = new KeyDerivedSigners();
    assertEquals(io.disjoint.staking.receipt.SignerDirectory.SignerStatus.ACTIVE,
        signers.signerStatus(KeyDerivedSigners.accountOf(ka), ka, 0));
    assertEquals(io.disjoint.staking.receipt.SignerDirectory.SignerStatus.UNKNOWN,
        signers.signerStatus(KeyDerivedSigners.accountOf(ka), kb, 0));
  }
}
