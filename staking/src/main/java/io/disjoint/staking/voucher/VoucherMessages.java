package io.disjoint.staking.voucher;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.receipt.PaymentReceipt;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
  public static final String RESPONSE_TAG = "disjoint/voucher-response/v1";
  public static final int MAX_BATCH = 10_000;
  public static final int MAX_MESSAGE_BYTES = 8 << 20;

  private VoucherMessages() {}

  /** The node's request: the last voucher it holds for the pair (if any) and new receipts. */
  public record Request(Optional<Voucher> previous, List<PaymentReceipt> receipts) {
    public Request {
      receipts = List.copyOf(receipts);
      if (receipts.isEmpty() || receipts.size() > MAX_BATCH) {
        throw new IllegalArgumentException("a voucher batch holds 1.." + MAX_BATCH + " receipts");
      }
    }

    public byte[] encode() {
      CanonicalWriter w = new CanonicalWriter(64 + receipts.size() * 320).ascii(REQUEST_TAG);
      if (previous.isPresent()) {
        byte[] v = previous.get().encode();
        w.u8(1).u16(v.length).fixed(v);
      } else {
        w.u8(0);
      }
      w.u32(receipts.size());
      for (PaymentReceipt r : receipts) {
        byte[] b = r.encode();
        w.u16(b.length).fixed(b);
      }
      return w.toByteArray();
    }

    public static Request decode(byte[] bytes) {
      if (bytes.length > MAX_MESSAGE_BYTES) {
        throw new MalformedEncodingException("voucher request over " + MAX_MESSAGE_BYTES + " bytes");
      }
      CanonicalReader r = new CanonicalReader(bytes);
      r.expectTag(REQUEST_TAG);
      int has = r.u8("has previous");
      if (has > 1) {
        throw new MalformedEncodingException("has previous must be 0 or 1");
      }
      Optional<Voucher> prev = has == 1
          ? Optional.of(Voucher.decode(r.fixed("previous voucher", r.u16("previous length"))))
          : Optional.empty();
      long n = r.u32("receipt count");
      if (n < 1 || n > MAX_BATCH) {
        throw new MalformedEncodingException("receipt count " + n + " outside 1.." + MAX_BATCH);
      }
      List<PaymentReceipt> receipts = new ArrayList<>((int) n);
      for (int i = 0; i < n; i++) {
        receipts.add(PaymentReceipt.decode(r.fixed("receipt", r.u16("receipt length"))));
      }
      r.expectEnd("voucher request");
      return new Request(prev, receipts);
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
