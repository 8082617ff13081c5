package io.disjoint.node.serve;

import io.disjoint.node.DataDir;
import io.disjoint.node.NodeException;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.config.ServeSpec;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.relay.protocol.Libp2pRelay;
import io.disjoint.relay.protocol.RelayProtocol;
import io.disjoint.relay.protocol.RelayService;
import io.disjoint.relay.protocol.ServingPayment;
import io.disjoint.relay.upstream.Head;
import io.disjoint.relay.upstream.HttpUpstreamClient;
import io.disjoint.relay.upstream.UpstreamClient;
import io.disjoint.relay.upstream.UpstreamConfig;
import io.disjoint.staking.store.ReceiptStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of a node: one upstream client with a head tracker per --serve chain, the
 * receipt store (unless receipts are off), and the relay protocol handler on the host.
 */
public final class ServingWiring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingWiring.class);
  private static final long SWEEP_MS = 100;

  private final Host host;
  private final Map<String, UpstreamClient> upstreams;
  private final Optional<ReceiptStore> store;
  private final Optional<ReceiptWorkers> receiptWorkers;

  private ServingWiring(Host host, Map<String, UpstreamClient> upstreams, Optional<ReceiptStore> store,
      Optional<ReceiptWorkers> receiptWorkers) {
    this.host = host;
    this.upstreams = upstreams;
    this.store = store;
    this.receiptWorkers = receiptWorkers;
  }

  public static ServingWiring start(NodeConfig config, Host host, PrivKey key, DataDir dataDir,
      ExecutorService blocking, Clock clock) {
    return start(config, host, key, dataDir, blocking, clock, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  /** As above, counting served requests by status in {@code registry}. */
  public static ServingWiring start(NodeConfig config, Host host, PrivKey key, DataDir dataDir,
      ExecutorService blocking, Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
    io.disjoint.relay.eth.AddressPolicy policy = config.addressPolicy();
    Map<String, UpstreamClient> upstreams = new LinkedHashMap<>();
    Optional<ReceiptStore> store = Optional.empty();
    Optional<ReceiptWorkers> workers = Optional.empty();
    try {
      for (ServeSpec spec : config.serve()) {
        try {
          upstreams.put(spec.chain(), HttpUpstreamClient.start(UpstreamConfig.of(spec.upstream()), clock));
        } catch (IllegalArgumentException e) {
          throw new NodeException("--serve " + spec + ": " + e.getMessage(), e);
        }
        LOG.info("serving {} from the upstream given with --serve", spec.chain());
      }
      ServingPayment payment = ServingPayment.FREE;
      if (config.receipts()) {
        store = Optional.of(PaymentWiring.openStore(dataDir));
        workers = Optional.of(ReceiptWorkers.forThisMachine(blocking));
        io.disjoint.relay.protocol.StakingServingPayment staking = PaymentWiring.serving(key, store.get(), clock,
            workers.get(), config.receiptSampling(), new java.security.SecureRandom(), config.epochs());
        // Batched receipts: retry batches that arrived before their requests, refuse gateways whose
        // batches never come (BatchedReceiptTracker.DEFAULT_TIMEOUT).
        workers.get().every(SWEEP_MS, staking::sweepBatches);
        payment = staking;
      }
      if (!policy.isEmpty()) {
        LOG.info("refusing transactions and calls that name any of the {} addresses in --blocked-addresses {}",
            policy.size(), config.blockedAddresses().orElseThrow());
      }
      RelayService service = new RelayService(upstreams, payment, blocking, clock, registry, policy);
      Libp2pRelay.serve(host, service);
      return new ServingWiring(host, upstreams, store, workers);
    } catch (RuntimeException e) {
      upstreams.values().forEach(UpstreamClient::close);
      workers.ifPresent(ReceiptWorkers::close);
      store.ifPresent(ReceiptStore::close);
      throw e;
    }
  }

  /** The receipt store, when receipts are on. */
  public Optional<ReceiptStore> store() {
    return store;
  }

  /** Head height per served chain (-1 when not known yet), for the hello. */
  public Map<String, Long> heads() {
    Map<String, Long> out = new LinkedHashMap<>();
    upstreams.forEach((chain, u) -> {
      Head h = u.head();
      out.put(chain, h.known() ? h.number() : -1L);
    });
    return out;
  }

  @Override
  public void close() {
    host.removeStreamHandler(RelayProtocol.PROTOCOL_ID);
    upstreams.values().forEach(UpstreamClient::close);
    receiptWorkers.ifPresent(ReceiptWorkers::close);
    store.ifPresent(ReceiptStore::close);
  }
}
