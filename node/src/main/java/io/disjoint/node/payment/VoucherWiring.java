package io.disjoint.node.payment;

import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.Signatures;
import io.disjoint.staking.store.EpochPayerTotals;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.voucher.Voucher;
import io.disjoint.staking.voucher.VoucherCollector;
import io.disjoint.staking.voucher.VoucherIssuer;
import io.disjoint.staking.voucher.VoucherMessages;
import io.disjoint.staking.voucher.VoucherService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vouchers over "/disjoint/voucher/1.0.0" (one u32-length-framed request and one response per
 * stream). A gateway answers requests with {@link VoucherService}; a serving node periodically
 * asks the gateway that signed a payer's receipts for a running-total voucher once the payer's
 * unvouchered value passes a threshold, and records it in its receipt store.
 */
public final class VoucherWiring {
  private static final Logger LOG = LoggerFactory.getLogger(VoucherWiring.class);
  /** A gateway accepts receipt timestamps at most this far ahead of its clock. */
  static final Duration FUTURE_TOLERANCE = Duration.ofSeconds(5);

  private VoucherWiring() {}

  /** Gateway side: the issuer signs vouchers for its key-derived payer account. */
  public static void serveGateway(Host host, PrivKey key, ExecutorService blocking, Clock clock) {
    Account payer = KeyDerivedSigners.accountOf(org.apache.tuweni.bytes.Bytes.wrap(key.publicKey().marshal()));
    VoucherService service = new VoucherService(new VoucherIssuer(key, PaymentWiring.NETWORK, payer, clock, FUTURE_TOLERANCE));
    host.setStreamHandler(VoucherMessages.PROTOCOL_ID, stream -> {
      framed(stream);
      stream.channel().pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
          byte[] request = ByteBufUtil.getBytes(frame);
          blocking.execute(() -> {
            byte[] response = service.handle(request, stream.remotePeer());
            ctx.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener(f -> stream.closeWrite());
          });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          LOG.debug("voucher stream from {} broke the protocol: {}", stream.remotePeer(), cause.toString());
          stream.reset();
        }
      });
    });
  }

  private static void framed(Stream stream) {
    stream.channel().pipeline().addLast(
        new LengthFieldBasedFrameDecoder(VoucherMessages.MAX_MESSAGE_BYTES, 0, 4, 0, 4),
        new LengthFieldPrepender(4));
  }

  /** Node side: asks for vouchers every {@code interval}; {@link #close()} stops it. */
  public static final class Collector implements AutoCloseable {
    private final Host host;
    private final ReceiptStore store;
    private final VoucherCollector collector;
    private final ExecutorService blocking;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    /**
     * @param threshold unvouchered value (wei) of a payer that calls for a voucher
     * @param settleLag only receipts at least this old are batched; must exceed the receipt
     *     timestamp window so no older receipt can still arrive after the voucher
     */
    public Collector(Host host, ReceiptStore store, BigInteger threshold, Duration settleLag, Duration interval,
        ScheduledExecutorService timers, ExecutorService blocking, Clock clock) {
      this.host = host;
      this.store = store;
      this.blocking = blocking;
      this.collector = new VoucherCollector(store, org.apache.tuweni.bytes.Bytes.wrap(host.peerId().bytes()),
          threshold, settleLag, clock);
      this.task = timers.scheduleWithFixedDelay(() -> blocking.execute(this::collectOnce),
          interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: a voucher request for each payer over the threshold; returns vouchers recorded. */
    public int collectOnce() {
      if (!running.compareAndSet(false, true)) {
        return 0;
      }
      int recorded = 0;
      try {
        Set<Account> payers = new LinkedHashSet<>();
        for (EpochPayerTotals row : store.summary()) {
          if (row.voucheredCount() < row.receiptCount()) {
            payers.add(row.payer());
          }
        }
        for (Account payer : payers) {
          Optional<VoucherCollector.PendingVoucher> pending = collector.prepare(payer);
          if (pending.isEmpty()) {
            continue;
          }
          try {
            Voucher v = collector.accept(pending.get(), ask(gatewayOf(pending.get()), pending.get().request()));
            recorded++;
            LOG.info("voucher {} for payer {}: running total {} wei over {} receipts", v.sequence(),
                payer.bytes().toHexString(), v.valueTotal(), pending.get().receipts().size());
          } catch (RuntimeException e) {
            LOG.warn("voucher for payer {} not obtained: {}", payer.bytes().toHexString(), e.getMessage());
          }
        }
      } finally {
        running.set(false);
      }
      return recorded;
    }

    /** The gateway that signed the receipts: the peer id of the receipts' signer key. */
    private static PeerId gatewayOf(VoucherCollector.PendingVoucher p) {
      PubKey key = Signatures.parseKey(p.receipts().get(0).receipt().signerKey())
          .orElseThrow(() -> new IllegalStateException("stored receipt with an unreadable signer key"));
      return key.peerId();
    }

    private byte[] ask(PeerId gateway, byte[] request) {
      CompletableFuture<byte[]> answer = new CompletableFuture<>();
      host.newStream(gateway, VoucherMessages.PROTOCOL_ID).whenComplete((stream, e) -> {
        if (e != null) {
          answer.completeExceptionally(e);
          return;
        }
        framed(stream);
        stream.channel().pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            answer.complete(ByteBufUtil.getBytes(frame));
            stream.channel().close();
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("gateway closed the voucher stream without answering"));
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
            stream.reset();
          }
        });
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(request));
      });
      try {
        return answer.get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("voucher request to " + gateway + " failed: " + e, e);
      }
    }

    @Override
    public void close() {
      task.cancel(false);
    }
  }
}
