package io.disjoint.node.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.DataDir;
import io.disjoint.node.DisjointNode;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.node.receipts.ReceiptsReport;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.PooledRelayTransport;
import io.disjoint.relay.protocol.RelayProtocol;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.RelayResponse;
import io.disjoint.relay.protocol.RelayStatus;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serving node as {@code disjoint run --serve} builds it, reached over real libp2p from a second
 * host that plays the gateway: the relay answers from the upstream, carries a signed attestation,
 * and leaves exactly one receipt in the node's store; an unpaid request is refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServingNodeTest {
  private static final String CHAIN = "eip155:31337";

  @Test
  void relaysWithAReceiptStoreItAndAttestTheAnswer(@TempDir Path dir) throws Exception {
    Clock clock = Clock.systemUTC();
    try (FakeUpstream upstream = new FakeUpstream()) {
      NodeConfig config = NodeConfig.builder().dataDir(dir.resolve("node")).listen("/ip4/127.0.0.1/tcp/0")
          .serve(CHAIN + "=" + upstream.url()).build();
      PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
      Libp2pHost gatewayHost = new Libp2pHost(gatewayKey, HostConfig.defaults());
      DisjointNode node = DisjointNode.start(config);
      try {
        gatewayHost.start().get(10, TimeUnit.SECONDS);
        Multiaddr addr = Multiaddr.parse(node.listenAddresses().get(0));
        gatewayHost.dial(addr).get(10, TimeUnit.SECONDS);
        PooledRelayTransport transport = new PooledRelayTransport(peer -> gatewayHost
            .newStream(PeerId.parse(peer), RelayProtocol.PROTOCOL_ID)
            .thenApply(s -> new PooledRelayTransport.OpenedStream(s.channel(), ch -> s.reset())), clock);
        GatewayPayment payment = PaymentWiring.gateway(gatewayKey, clock);
        // What the router does: the payment sends receipt batches no request carries (batched
        // receipts are the default; this node gets one request, so its batch goes out on its own,
        // once the node answered a batched receipt).
        payment.useTransport(transport);
        String nodeId = node.peerId().toBase58();
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_gasPrice\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);

        byte[] receipt = payment.receiptFor(nodeId, CHAIN, body, 10);
        RelayResponse ok = transport.send(nodeId, new RelayRequest(0, CHAIN, body, clock.millis() + 5_000,
            receipt, true)).get(10, TimeUnit.SECONDS);
        assertEquals(RelayStatus.OK, ok.status(), ok::toString);
        payment.onReceiptAccepted(nodeId, receipt); // as the router reports it: this node takes batches
        assertTrue(new String(ok.payload(), StandardCharsets.UTF_8).contains("\"0x2a\""));
        ResponseAttestation att = ResponseAttestation.decode(ok.attestation());
        assertEquals(node.peerId(), PeerId.fromPublicKey(io.disjoint.staking.receipt.Signatures
            .parseKey(att.signerKey()).orElseThrow()));

        RelayResponse unpaid = transport.send(nodeId, new RelayRequest(0, CHAIN, body, clock.millis() + 5_000,
            new byte[0])).get(10, TimeUnit.SECONDS);
        assertEquals(RelayStatus.RECEIPT_REJECTED, unpaid.status(), unpaid::toString);
        assertEquals(1, upstream.calls("eth_gasPrice"), "the unpaid request never reached the upstream");
        // The node answers before its receipt is synced (deferred append): wait for the group commit.
        long count = 0;
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < until; Thread.sleep(20)) {
          count = ReceiptsReport.read(new DataDir(config.dataDir())).receiptCount();
          if (count == 1) {
            break;
          }
        }
        assertEquals(1, count, "read-only view while the node runs");
      } finally {
        gatewayHost.stop().get(10, TimeUnit.SECONDS);
        node.close();
      }
      assertEquals(1, ReceiptsReport.read(new DataDir(config.dataDir())).receiptCount());
    }
  }
}
