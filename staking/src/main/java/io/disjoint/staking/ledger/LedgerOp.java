package io.disjoint.staking.ledger;

import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.voucher.Voucher;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.tuweni.bytes.Bytes;

/**
 * The ledger's operations: the entries of its append-only log. Each is encoded canonically
 * (type byte, then fields), so the log replays to the same state on any machine.
 */
public sealed interface LedgerOp {
  int type();

  void encodeBody(CanonicalWriter w);

  record Genesis(LedgerParams params, Map<Account, BigInteger> allocations, BigInteger rewardPool)
      implements LedgerOp {
    public Genesis {
      allocations = java.util.Collections.unmodifiableMap(new TreeMap<>(allocations));
    }

    public int type() { return 0; }

    public void encodeBody(CanonicalWriter w) {
      params.encode(w);
      w.u32(allocations.size());
      allocations.forEach((a, v) -> w.fixed(a.bytes()).u256(v));
      w.u256(rewardPool);
    }
  }

  /** Moves time forward only: derives seeds and settles epochs whose windows closed. */
  record Tick() implements LedgerOp {
    public int type() { return 1; }
    public void encodeBody(CanonicalWriter w) { }
  }

  record Transfer(Account from, Account to, BigInteger amount) implements LedgerOp {
    public int type() { return 2; }
    public void encodeBody(CanonicalWriter w) { w.fixed(from.bytes()).fixed(to.bytes()).u256(amount); }
  }

  record Stake(Account owner, Bytes nodeId, BigInteger amount) implements LedgerOp {
    public int type() { return 3; }
    public void encodeBody(CanonicalWriter w) { w.fixed(owner.bytes()).shortBytes(nodeId).u256(amount); }
  }

  record Unstake(Bytes nodeId, BigInteger amount) implements LedgerOp {
    public int type() { return 4; }
    public void encodeBody(CanonicalWriter w) { w.shortBytes(nodeId).u256(amount); }
  }

  record WithdrawUnbonded(Bytes nodeId) implements LedgerOp {
    public int type() { return 5; }
    public void encodeBody(CanonicalWriter w) { w.shortBytes(nodeId); }
  }

  record Unjail(Bytes nodeId) implements LedgerOp {
    public int type() { return 6; }
    public void encodeBody(CanonicalWriter w) { w.shortBytes(nodeId); }
  }

  record Deposit(Account payer, BigInteger amount) implements LedgerOp {
    public int type() { return 7; }
    public void encodeBody(CanonicalWriter w) { w.fixed(payer.bytes()).u256(amount); }
  }

  record Thaw(Account payer, BigInteger amount) implements LedgerOp {
    public int type() { return 8; }
    public void encodeBody(CanonicalWriter w) { w.fixed(payer.bytes()).u256(amount); }
  }

  record WithdrawEscrow(Account payer) implements LedgerOp {
    public int type() { return 9; }
    public void encodeBody(CanonicalWriter w) { w.fixed(payer.bytes()); }
  }

  record AuthorizeSigner(Account payer, Bytes signerKey) implements LedgerOp {
    public int type() { return 10; }
    public void encodeBody(CanonicalWriter w) { w.fixed(payer.bytes()).shortBytes(signerKey); }
  }

  /** Starts the signer's thaw; it is revoked when the thaw ends. */
  record RevokeSigner(Account payer, Bytes signerKey) implements LedgerOp {
    public int type() { return 11; }
    public void encodeBody(CanonicalWriter w) { w.fixed(payer.bytes()).shortBytes(signerKey); }
  }

  record RedeemVoucher(Voucher voucher) implements LedgerOp {
    public int type() { return 12; }
    public void encodeBody(CanonicalWriter w) { byte[] v = voucher.encode(); w.u16(v.length).fixed(v); }
  }

  record SubmitClaim(EpochClaim claim) implements LedgerOp {
    public int type() { return 13; }
    public void encodeBody(CanonicalWriter w) { w.fixed(claim.encode()); }
  }

  record SubmitProof(ClaimProof proof) implements LedgerOp {
    public int type() { return 14; }
    public void encodeBody(CanonicalWriter w) { byte[] p = proof.encode(); w.u32(p.length).fixed(p); }
  }

  record SlashEquivocation(Account reporter, ResponseAttestation first, ResponseAttestation second)
      implements LedgerOp {
    public int type() { return 15; }
    public void encodeBody(CanonicalWriter w) {
      w.fixed(reporter.bytes());
      writeAttestation(w, first);
      writeAttestation(w, second);
    }
  }

  record SlashWrongAnswer(Account reporter, ResponseAttestation accused,
      List<ResponseAttestation> quorum) implements LedgerOp {
    public SlashWrongAnswer {
      quorum = List.copyOf(quorum);
    }

    public int type() { return 16; }
    public void encodeBody(CanonicalWriter w) {
      w.fixed(reporter.bytes());
      writeAttestation(w, accused);
      w.u8(quorum.size());
      quorum.forEach(a -> writeAttestation(w, a));
    }
  }

  private static void writeAttestation(CanonicalWriter w, ResponseAttestation a) {
    byte[] b = a.encode();
    w.u16(b.length).fixed(b);
  }

  private static ResponseAttestation readAttestation(CanonicalReader r) {
    return ResponseAttestation.decode(r.fixed("attestation", r.u16("attestation length")));
  }

  /** Log entry: u64 time ms, u8 type, body. */
  static byte[] encodeEntry(long timeMs, LedgerOp op) {
    CanonicalWriter w = new CanonicalWriter(256).u64(timeMs).u8(op.type());
    op.encodeBody(w);
    return w.toByteArray();
  }

  /** A decoded log entry. */
  record Entry(long timeMs, LedgerOp op) {}

  static Entry decodeEntry(byte[] b) {
    CanonicalReader r = new CanonicalReader(b);
    long time = r.u63("time");
    int type = r.u8("type");
    LedgerOp op = switch (type) {
      case 0 -> {
        LedgerParams params = LedgerParams.decode(r);
        long n = r.u32("allocations");
        if (n > r.remaining() / 52) {
          throw new MalformedEncodingException("genesis: too many allocations for the bytes left");
        }
        Map<Account, BigInteger> alloc = new TreeMap<>();
        for (long i = 0; i < n; i++) {
          alloc.put(new Account(r.fixedBytes("account", Account.SIZE)), r.u256("allocation"));
        }
        yield new Genesis(params, alloc, r.u256("reward pool"));
      }
      case 1 -> new Tick();
      case 2 -> new Transfer(account(r), account(r), r.u256("amount"));
      case 3 -> new Stake(account(r), node(r), r.u256("amount"));
      case 4 -> new Unstake(node(r), r.u256("amount"));
      case 5 -> new WithdrawUnbonded(node(r));
      case 6 -> new Unjail(node(r));
      case 7 -> new Deposit(account(r), r.u256("amount"));
      case 8 -> new Thaw(account(r), r.u256("amount"));
      case 9 -> new WithdrawEscrow(account(r));
      case 10 -> new AuthorizeSigner(account(r), key(r));
      case 11 -> new RevokeSigner(account(r), key(r));
      case 12 -> new RedeemVoucher(Voucher.decode(r.fixed("voucher", r.u16("voucher length"))));
      case 13 -> new SubmitClaim(EpochClaim.decode(r));
      case 14 -> {
        long len = r.u32("proof length");
        if (len > r.remaining()) {
          throw new MalformedEncodingException("proof length " + len + " past the entry");
        }
        yield new SubmitProof(ClaimProof.decode(r.fixed("proof", (int) len)));
      }
      case 15 -> new SlashEquivocation(account(r), readAttestation(r), readAttestation(r));
      case 16 -> {
        Account reporter = account(r);
        ResponseAttestation accused = readAttestation(r);
        int n = r.u8("quorum size");
        List<ResponseAttestation> q = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          q.add(readAttestation(r));
        }
        yield new SlashWrongAnswer(reporter, accused, q);
      }
      default -> throw new MalformedEncodingException("unknown ledger op type " + type);
    };
    r.expectEnd("ledger entry");
    return new Entry(time, op);
  }

  private static Account account(CanonicalReader r) {
    return new Account(r.fixedBytes("account", Account.SIZE));
  }

  private static Bytes node(CanonicalReader r) {
    return Bytes.wrap(r.shortBytes("node id", 1, PaymentReceipt.MAX_NODE_ID_SIZE));
  }

  private static Bytes key(CanonicalReader r) {
    return Bytes.wrap(r.shortBytes("signer key", 1, PaymentReceipt.MAX_KEY_SIZE));
  }
}
