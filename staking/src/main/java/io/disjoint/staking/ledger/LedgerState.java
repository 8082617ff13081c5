package io.disjoint.staking.ledger;

import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The ledger state as one sorted key-value map, with a pending layer so an operation either
 * applies completely or not at all. The state hash is SHA-256 over every (key, value) in key
 * order, so two ledgers with equal hashes hold equal state.
 */
final class LedgerState {
  static final byte BALANCE = 'b';
  static final byte NODE = 'n';
  static final byte ESCROW = 'e';
  static final byte SIGNER = 's';
  static final byte PAID = 'p';
  static final byte CLAIM = 'c';
  static final byte OPEN_EPOCH = 'o';
  static final byte SEED = 'd';
  static final byte PAYOUT = 'y';
  static final byte EVIDENCE = 'x';
  static final byte POOL = 'P';
  static final byte CHAIN = 'H';

  private static final byte[] DELETED = new byte[0];

  private final NavigableMap<byte[], byte[]> committed = new TreeMap<>(Arrays::compareUnsigned);
  private final NavigableMap<byte[], byte[]> pending = new TreeMap<>(Arrays::compareUnsigned);

  Optional<byte[]> get(byte[] key) {
    byte[] v = pending.get(key);
    if (v == null) {
      v = committed.get(key);
    }
    return v == null || v == DELETED ? Optional.empty() : Optional.of(v);
  }

  void put(byte[] key, byte[] value) {
    pending.put(key, value);
  }

  void delete(byte[] key) {
    pending.put(key, DELETED);
  }

  /** Entries whose key starts with {@code prefix}, pending changes included, in key order. */
  List<Map.Entry<byte[], byte[]>> scan(byte[] prefix) {
    Map<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
    for (NavigableMap<byte[], byte[]> m : List.of(committed, pending)) {
      for (Map.Entry<byte[], byte[]> e : m.tailMap(prefix, true).entrySet()) {
        if (!startsWith(e.getKey(), prefix)) {
          break;
        }
        merged.put(e.getKey(), e.getValue());
      }
    }
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
    merged.forEach((k, v) -> {
      if (v != DELETED) {
        out.add(Map.entry(k, v));
      }
    });
    return out;
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Moves pending changes into the committed map; returns them (value null = deleted). */
  Map<byte[], byte[]> commit() {
    Map<byte[], byte[]> changes = new LinkedHashMap<>();
    pending.forEach((k, v) -> {
      if (v == DELETED) {
        committed.remove(k);
        changes.put(k, null);
      } else {
        committed.put(k, v);
        changes.put(k, v);
      }
    });
    pending.clear();
    return changes;
  }

  void rollback() {
    pending.clear();
  }

  /** Loads committed state (opening a persisted ledger). */
  void load(byte[] key, byte[] value) {
    committed.put(key, value);
  }

  Bytes32 hash() {
    java.security.MessageDigest d;
    try {
      d = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Map.Entry<byte[], byte[]> e : committed.entrySet()) {
      d.update(new CanonicalWriter(8).u32(e.getKey().length).u32(e.getValue().length).toByteArray());
      d.update(e.getKey());
      d.update(e.getValue());
    }
    return Bytes32.wrap(d.digest());
  }

  // ---- keys

  static byte[] key(byte prefix, byte[]... parts) {
    CanonicalWriter w = new CanonicalWriter(64).u8(prefix);
    for (byte[] p : parts) {
      w.fixed(p);
    }
    return w.toByteArray();
  }

  static byte[] lp(Bytes b) {
    return new CanonicalWriter(b.size() + 1).shortBytes(b).toByteArray();
  }

  static byte[] u64(long v) {
    return new CanonicalWriter(8).u64(v).toByteArray();
  }

  // ---- typed accessors

  BigInteger amount(byte[] key) {
    return get(key).map(v -> new BigInteger(1, v)).orElse(BigInteger.ZERO);
  }

  void putAmount(byte[] key, BigInteger v) {
    if (v.signum() == 0) {
      delete(key);
    } else {
      put(key, new CanonicalWriter(32).u256(v).toByteArray());
    }
  }

  BigInteger balance(Account a) {
    return amount(key(BALANCE, a.toArray()));
  }

  void putBalance(Account a, BigInteger v) {
    putAmount(key(BALANCE, a.toArray()), v);
  }

  BigInteger pool() {
    return amount(key(POOL));
  }

  void putPool(BigInteger v) {
    putAmount(key(POOL), v);
  }

  Optional<NodeStake> node(Bytes nodeId) {
    return get(key(NODE, lp(nodeId))).map(NodeStake::decode);
  }

  void putNode(Bytes nodeId, NodeStake s) {
    put(key(NODE, lp(nodeId)), s.encode());
  }

  Escrow escrow(Account payer) {
    return get(key(ESCROW, payer.toArray())).map(Escrow::decode).orElse(Escrow.EMPTY);
  }

  void putEscrow(Account payer, Escrow e) {
    if (e.total().signum() == 0) {
      delete(key(ESCROW, payer.toArray()));
    } else {
      put(key(ESCROW, payer.toArray()), e.encode());
    }
  }

  Bytes32 chainHash() {
    return get(key(CHAIN)).map(Bytes32::wrap).orElse(Bytes32.ZERO);
  }

  void putChainHash(Bytes32 h) {
    put(key(CHAIN), h.toArray());
  }

  static byte[] claimKey(long epoch, Bytes nodeId, Account payer) {
    return key(CLAIM, u64(epoch), lp(nodeId), payer.toArray());
  }

  Optional<ClaimState> claim(long epoch, Bytes nodeId, Account payer) {
    return get(claimKey(epoch, nodeId, payer)).map(ClaimState::decode);
  }

  void putClaim(ClaimState c) {
    put(claimKey(c.claim().epoch(), c.claim().nodeId(), c.claim().payer()), c.encode());
  }

  Payout payout(long epoch, Bytes nodeId) {
    return get(key(PAYOUT, u64(epoch), lp(nodeId)))
        .map(v -> Payout.decode(epoch, nodeId, v)).orElse(Payout.empty(epoch, nodeId));
  }

  void putPayout(Payout p) {
    put(key(PAYOUT, u64(p.epoch()), lp(p.nodeId())), p.encode());
  }
}
