package io.disjoint.staking.voucher;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.BatchPath;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.tuweni.bytes.Bytes32;
import java.util.List;
import java.util.Optional;

/**
 * Messages of "/disjoint/voucher/1.0.0" in the canonical encoding. One request and one response
 * per stream; on the stream each message is framed by a u32 big-endian length (at most
 * {@link #MAX_MESSAGE_BYTES}).
 */
public final class VoucherMessages {
  public static final String PROTOCOL_ID = "/disjoint/voucher/1.0.0";
  public static final String REQUEST_TAG = "disjoint/voucher-request/v1";
  /** A request holding batched receipts: their gateway's batches and each receipt's path. */
  public static final String REQUEST_TAG_V2 = "disjoint/voucher-request/v2";

  public static final String RESPONSE_TAG = "disjoint/voucher-response/v1";
  public static final int MAX_BATCH = 10_000;
  public static final int MAX_MESSAGE_BYTES = 8 << 20;

  private VoucherMessages() {}

  /**
   * The node's request: the last voucher it holds for the pair (if any) and new receipts. A
   * batched receipt (no signature of its own) comes with its {@link BatchMembership} at the same
   * index of {@code memberships}; a signed one with none.
   */
  public record Request(Optional<Voucher> previous, List<PaymentReceipt> receipts,
      List<Optional<BatchMembership>> memberships) {
    public Request {
      receipts = List.copyOf(receipts);
      memberships = List.copyOf(memberships);
      if (receipts.isEmpty() || receipts.size() > MAX_BATCH) {
        throw new IllegalArgumentException("a voucher batch holds 1.." + MAX_BATCH + " receipts");
      }
      if (memberships.size() != receipts.size()) {
        throw new IllegalArgumentException("one membership (maybe empty) per receipt");
      }
      for (int i = 0; i < receipts.size(); i++) {
        if (receipts.get(i).isSigned() == memberships.get(i).isPresent()) {
          throw new IllegalArgumentException("receipt " + i + ": a signed receipt has no batch, an unsigned one needs one");
        }
      }
    }

    /** Signed receipts only. */
    public Request(Optional<Voucher> previous, List<PaymentReceipt> receipts) {
      this(previous, receipts, receipts.stream().map(r -> Optional.<BatchMembership>empty()).toList());
    }

    private boolean batched() {
      return memberships.stream().anyMatch(Optional::isPresent);
    }

    /**
     * v1 (every receipt signed): tag, has-previous, previous, u32 count, per receipt u16 length +
     * wire. v2: the same, then after the previous voucher a u32 batch count and per batch u16
     * length + batch wire, and per receipt after its wire a u8 (0 signed, 1 batched) and for a
     * batched one a u32 batch index and its batch path.
     */
    public byte[] encode() {
      boolean v2 = batched();
      CanonicalWriter w = new CanonicalWriter(64 + receipts.size() * (v2 ? 600 : 320))
          .ascii(v2 ? REQUEST_TAG_V2 : REQUEST_TAG);
      if (previous.isPresent()) {
        byte[] v = previous.get().encode();
        w.u8(1).u16(v.length).fixed(v);
      } else {
        w.u8(0);
      }
      Map<Bytes32, Integer> batchIndex = new LinkedHashMap<>();
      if (v2) {
        List<ReceiptBatch> batches = new ArrayList<>();
        for (Optional<BatchMembership> m : memberships) {
          if (m.isPresent() && batchIndex.putIfAbsent(m.get().batch().id(), batches.size()) == null) {
            batches.add(m.get().batch());
          }
        }
        w.u32(batches.size());
        for (ReceiptBatch b : batches) {
          byte[] bw = b.encode();
          w.u16(bw.length).fixed(bw);
        }
      }
      w.u32(receipts.size());
      for (int i = 0; i < receipts.size(); i++) {
        byte[] b = receipts.get(i).encode();
        w.u16(b.length).fixed(b);
        if (v2) {
          Optional<BatchMembership> m = memberships.get(i);
          if (m.isEmpty()) {
            w.u8(0);
          } else {
            w.u8(1).u32(batchIndex.get(m.get().batch().id())).fixed(m.get().path().encode());
          }
        }
      }
      return w.toByteArray();
    }

    public static Request decode(byte[] bytes) {
      if (bytes.length > MAX_MESSAGE_BYTES) {
        throw new MalformedEncodingException("voucher request over " + MAX_MESSAGE_BYTES + " bytes");
      }
      CanonicalReader r = new CanonicalReader(bytes);
      String tag = r.ascii("tag", 255);
      if (!tag.equals(REQUEST_TAG) && !tag.equals(REQUEST_TAG_V2)) {
        throw new MalformedEncodingException("tag: expected " + REQUEST_TAG + " or " + REQUEST_TAG_V2 + ", got " + tag);
      }
      boolean v2 = tag.equals(REQUEST_TAG_V2);
      int has = r.u8("has previous");
      if (has > 1) {
        throw new MalformedEncodingException("has previous must be 0 or 1");
      }
      Optional<Voucher> prev = has == 1
          ? Optional.of(Voucher.decode(r.fixed("previous voucher", r.u16("previous length"))))
          : Optional.empty();
      List<ReceiptBatch> batches = new ArrayList<>();
      if (v2) {
        long nb = r.u32("batch count");
        if (nb > MAX_BATCH) {
          throw new MalformedEncodingException("batch count " + nb + " over " + MAX_BATCH);
        }
        for (int i = 0; i < nb; i++) {
          batches.add(ReceiptBatch.decode(r.fixed("batch", r.u16("batch length"))));
        }
      }
      long n = r.u32("receipt count");
      if (n < 1 || n > MAX_BATCH) {
        throw new MalformedEncodingException("receipt count " + n + " outside 1.." + MAX_BATCH);
      }
      List<PaymentReceipt> receipts = new ArrayList<>((int) n);
      List<Optional<BatchMembership>> memberships = new ArrayList<>((int) n);
      for (int i = 0; i < n; i++) {
        byte[] wire = r.fixed("receipt", r.u16("receipt length"));
        if (!v2) {
          receipts.add(PaymentReceipt.decode(wire));
          memberships.add(Optional.empty());
          continue;
        }
        receipts.add(PaymentReceipt.decodeMaybeBatched(wire));
        int flag = r.u8("batched flag");
        if (flag == 0) {
          memberships.add(Optional.empty());
        } else if (flag == 1) {
          long index = r.u32("batch index");
          if (index >= batches.size()) {
            throw new MalformedEncodingException("batch index " + index + " of " + batches.size());
          }
          BatchPath path = BatchPath.decode(r);
          try {
            memberships.add(Optional.of(new BatchMembership(batches.get((int) index), path)));
          } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException("receipt " + i + ": " + e.getMessage());
          }
        } else {
          throw new MalformedEncodingException("batched flag must be 0 or 1");
        }
      }
      r.expectEnd("voucher request");
      try {
        return new Request(prev, receipts, memberships);
      } catch (IllegalArgumentException e) {
        throw new MalformedEncodingException("voucher request: " + e.getMessage());
      }
    }
  }

  /** Either a signed voucher or the reason the gateway refused. */
  public record Response(Optional<Voucher> voucher, Optional<VoucherRejectedException.Reason> reason,
      String message) {
    public Response {
      if (voucher.isPresent() == reason.isPresent()) {
        throw new IllegalArgumentException("a response holds a voucher or a reason, not both");
      }
    }

    public static Response ok(Voucher v) {
      return new Response(Optional.of(v), Optional.empty(), "");
    }

    public static Response rejected(VoucherRejectedException.Reason reason, String message) {
      String m = message.length() > 200 ? message.substring(0, 200) : message;
      return new Response(Optional.empty(), Optional.of(reason), m);
    }

    public byte[] encode() {
      CanonicalWriter w = new CanonicalWriter(400).ascii(RESPONSE_TAG);
      if (voucher.isPresent()) {
        byte[] v = voucher.get().encode();
        w.u8(0).u16(v.length).fixed(v);
      } else {
        w.u8(1).u8(reason.get().ordinal()).shortBytes(message.getBytes(StandardCharsets.UTF_8));
      }
      return w.toByteArray();
    }

    public static Response decode(byte[] bytes) {
      CanonicalReader r = new CanonicalReader(bytes);
      r.expectTag(RESPONSE_TAG);
      int status = r.u8("status");
      Response out;
      if (status == 0) {
        out = ok(Voucher.decode(r.fixed("voucher", r.u16("voucher length"))));
      } else if (status == 1) {
        int code = r.u8("reason");
        VoucherRejectedException.Reason[] all = VoucherRejectedException.Reason.values();
        if (code >= all.length) {
          throw new MalformedEncodingException("unknown rejection reason " + code);
        }
        out = rejected(all[code], r.utf8("message", 255));
      } else {
        throw new MalformedEncodingException("voucher response status " + status);
      }
      r.expectEnd("voucher response");
      return out;
    }
  }
}
