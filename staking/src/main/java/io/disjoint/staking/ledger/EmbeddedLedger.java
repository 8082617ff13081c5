package io.disjoint.staking.ledger;

import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.ledger.LedgerOp.*;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.StoreMetadata;
import io.disjoint.staking.store.StoreOpenException;
import io.disjoint.staking.voucher.Voucher;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The ledger on one machine: an append-only operation log and the state it produces, both in
 * RocksDB and written together in one synced batch per operation. State transitions are
 * {@link LedgerMachine}'s pure functions of (state, time, op), so {@link #replay} of the log
 * rebuilds exactly the same state; opening checks the state's chain hash against the log.
 * Operations are serialised (one writer); the embedded ledger trusts its caller, where the EVM
 * implementation will check the sender of each operation.
 */
public final class EmbeddedLedger implements Ledger, AutoCloseable {
  public static final String KIND = "ledger";
  public static final int SCHEMA = 1;

  static {
    RocksDB.loadLibrary();
  }

  private final Clock clock;
  private final LedgerState state = new LedgerState();
  private final LedgerMachine machine;
  private final Persistence disk;
  private final List<byte[]> memoryLog = new ArrayList<>();
  private long nextSeq;

  private record Persistence(RocksDB db, DBOptions options, List<ColumnFamilyOptions> cfOptions,
      List<ColumnFamilyHandle> handles, boolean readOnly) {
    ColumnFamilyHandle log() {
      return handles.get(1);
    }

    ColumnFamilyHandle state() {
      return handles.get(2);
    }
  }

  private EmbeddedLedger(Clock clock, Persistence disk) {
    this.clock = clock;
    this.disk = disk;
    if (disk != null) {
      try (RocksIterator it = disk.db().newIterator(disk.state())) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          state.load(it.key(), it.value());
        }
      }
      Bytes32 chain = Bytes32.ZERO;
      try (RocksIterator it = disk.db().newIterator(disk.log())) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          chain = Sha256.hash(chain.toArray(), it.value());
          nextSeq++;
        }
      }
      if (!chain.equals(state.chainHash())) {
        throw new IllegalStateException("ledger state does not match its log");
      }
    }
    this.machine = new LedgerMachine(state);
  }

  /** A ledger kept in memory only (tests, simulations). */
  public static EmbeddedLedger inMemory(Genesis genesis, Clock clock) {
    EmbeddedLedger l = new EmbeddedLedger(clock, null);
    l.apply(genesis);
    return l;
  }

  /**
   * Opens the ledger in {@code dir}, creating it from {@code genesis} if the directory is new.
   * Fails closed like the receipt store: missing or corrupt metadata, a newer schema, another
   * network, or state that disagrees with the log stop the open; nothing is deleted.
   */
  public static EmbeddedLedger open(Path dir, Genesis genesis, Clock clock) {
    String network = genesis.params().domain().networkId();
    boolean created = StoreMetadata.checkOrCreate(dir, KIND, SCHEMA, network, true);
    EmbeddedLedger l = openRocks(dir, clock, false);
    if (created || l.nextSeq == 0) {
      l.apply(genesis);
    }
    return l;
  }

  /**
   * Opens an existing ledger for operations (the CLI's {@code stake}, {@code deposit}, ...);
   * fails with NO_STORE instead of creating one. The network is whatever the directory holds.
   */
  public static EmbeddedLedger openExisting(Path dir, Clock clock) {
    StoreMetadata.checkOrCreate(dir, KIND, SCHEMA, null, false);
    return openRocks(dir, clock, false);
  }

  /** Opens an existing ledger read-only (reads only; operations fail). */
  public static EmbeddedLedger openReadOnly(Path dir, Clock clock) {
    StoreMetadata.checkOrCreate(dir, KIND, SCHEMA, null, false);
    return openRocks(dir, clock, true);
  }

  private static EmbeddedLedger openRocks(Path dir, Clock clock, boolean readOnly) {
    DBOptions options = new DBOptions().setCreateIfMissing(!readOnly)
        .setCreateMissingColumnFamilies(!readOnly);
    List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (String name : List.of("default", "log", "state")) {
      ColumnFamilyOptions o = new ColumnFamilyOptions();
      cfOptions.add(o);
      descriptors.add(new ColumnFamilyDescriptor(name.equals("default")
          ? RocksDB.DEFAULT_COLUMN_FAMILY : name.getBytes(StandardCharsets.US_ASCII), o));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    Persistence p = null;
    try {
      RocksDB db = readOnly ? RocksDB.openReadOnly(options, dir.toString(), descriptors, handles)
          : RocksDB.open(options, dir.toString(), descriptors, handles);
      p = new Persistence(db, options, cfOptions, handles, readOnly);
      return new EmbeddedLedger(clock, p);
    } catch (RocksDBException e) {
      cfOptions.forEach(ColumnFamilyOptions::close);
      options.close();
      throw new StoreOpenException(StoreOpenException.Kind.ROCKSDB, dir, e.getMessage(), e);
    } catch (IllegalStateException e) {
      p.handles().forEach(ColumnFamilyHandle::close);
      p.db().close();
      throw new StoreOpenException(StoreOpenException.Kind.INCONSISTENT, dir, e.getMessage(), e);
    }
  }

  /** Applies one operation: on success it is in the log and the state, durably. */
  synchronized BigInteger apply(LedgerOp op) {
    if (disk != null && disk.readOnly()) {
      throw new LedgerException(LedgerException.Reason.INVALID, "ledger opened read-only");
    }
    long now = Math.max(clock.millis(), machine.time());
    byte[] entry = LedgerOp.encodeEntry(now, op);
    BigInteger moved;
    try {
      moved = machine.apply(entry, now, op);
    } catch (RuntimeException e) {
      state.rollback();
      throw e;
    }
    Map<byte[], byte[]> changes = state.commit();
    if (disk != null) {
      try (WriteBatch wb = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
        wb.put(disk.log(), new CanonicalWriter(8).u64(nextSeq).toByteArray(), entry);
        for (Map.Entry<byte[], byte[]> c : changes.entrySet()) {
          if (c.getValue() == null) {
            wb.delete(disk.state(), c.getKey());
          } else {
            wb.put(disk.state(), c.getKey(), c.getValue());
          }
        }
        disk.db().write(sync, wb);
      } catch (RocksDBException e) {
        throw new IllegalStateException("ledger write failed; the process must restart from disk", e);
      }
    }
    if (disk == null) {
      memoryLog.add(entry);
    }
    nextSeq++;
    return moved;
  }

  /** The log, oldest first. */
  public synchronized List<byte[]> log() {
    if (disk == null) {
      return List.copyOf(memoryLog);
    }
    List<byte[]> out = new ArrayList<>();
    try (RocksIterator it = disk.db().newIterator(disk.log())) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(it.value());
      }
    }
    return out;
  }

  /** Rebuilds state from log entries alone and returns its hash. */
  public static Bytes32 replay(List<byte[]> log) {
    LedgerState s = new LedgerState();
    LedgerMachine m = new LedgerMachine(s);
    for (byte[] entry : log) {
      LedgerOp.Entry e = LedgerOp.decodeEntry(entry);
      m.apply(entry, e.timeMs(), e.op());
      s.commit();
    }
    return s.hash();
  }

  // ---- reads

  @Override
  public synchronized LedgerParams params() {
    return machine.params().orElseThrow();
  }

  @Override
  public synchronized long now() {
    return machine.time();
  }

  @Override
  public synchronized SignerStatus signerStatus(Account payer, Bytes signerKey, long nowMs) {
    return machine.signerStatus(payer, signerKey, nowMs);
  }

  @Override
  public synchronized BigInteger balance(Account account) {
    return state.balance(account);
  }

  @Override
  public synchronized Optional<NodeStake> nodeStake(Bytes nodeId) {
    return state.node(nodeId);
  }

  @Override
  public synchronized Escrow escrow(Account payer) {
    return state.escrow(payer);
  }

  @Override
  public synchronized BigInteger paid(Account payer, Bytes nodeId) {
    return machine.paid(payer, nodeId);
  }

  @Override
  public synchronized Optional<ClaimState> claim(long epoch, Bytes nodeId, Account payer) {
    return state.claim(epoch, nodeId, payer);
  }

  @Override
  public synchronized Optional<Bytes32> epochSeed(long epoch) {
    return machine.seed(epoch);
  }

  @Override
  public synchronized List<Long> challengePoints(long epoch, Bytes nodeId, Account payer) {
    Optional<ClaimState> c = state.claim(epoch, nodeId, payer);
    Optional<Bytes32> seed = machine.seed(epoch);
    List<Long> out = new ArrayList<>();
    if (c.isPresent() && seed.isPresent()) {
      for (int i = 0; i < c.get().required(); i++) {
        out.add(ClaimRules.challengePoint(seed.get(), c.get().claim(), i));
      }
    }
    return out;
  }

  @Override
  public synchronized List<Payout> payouts(long epoch) {
    return payoutsWithPrefix(LedgerState.key(LedgerState.PAYOUT, LedgerState.u64(epoch)));
  }

  @Override
  public synchronized List<Payout> payouts() {
    return payoutsWithPrefix(new byte[] {LedgerState.PAYOUT});
  }

  private List<Payout> payoutsWithPrefix(byte[] prefix) {
    List<Payout> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : state.scan(prefix)) {
      CanonicalReader r = new CanonicalReader(e.getKey(), 1, e.getKey().length - 1);
      long epoch = r.u64("epoch");
      Bytes node = Bytes.wrap(r.shortBytes("node", 1, 255));
      out.add(Payout.decode(epoch, node, e.getValue()));
    }
    return out;
  }

  @Override
  public synchronized BigInteger rewardPool() {
    return state.pool();
  }

  @Override
  public synchronized BigInteger totalSupply() {
    return machine.totalSupply();
  }

  @Override
  public synchronized Bytes32 stateHash() {
    return state.hash();
  }

  // ---- operations

  @Override
  public void transfer(Account from, Account to, BigInteger amount) {
    apply(new Transfer(from, to, amount));
  }

  @Override
  public void stake(Account owner, Bytes nodeId, BigInteger amount) {
    apply(new Stake(owner, nodeId, amount));
  }

  @Override
  public void unstake(Bytes nodeId, BigInteger amount) {
    apply(new Unstake(nodeId, amount));
  }

  @Override
  public void withdrawUnbonded(Bytes nodeId) {
    apply(new WithdrawUnbonded(nodeId));
  }

  @Override
  public void unjail(Bytes nodeId) {
    apply(new Unjail(nodeId));
  }

  @Override
  public void deposit(Account payer, BigInteger amount) {
    apply(new Deposit(payer, amount));
  }

  @Override
  public void thaw(Account payer, BigInteger amount) {
    apply(new Thaw(payer, amount));
  }

  @Override
  public void withdrawEscrow(Account payer) {
    apply(new WithdrawEscrow(payer));
  }

  @Override
  public void authorizeSigner(Account payer, Bytes signerKey) {
    apply(new AuthorizeSigner(payer, signerKey));
  }

  @Override
  public void revokeSigner(Account payer, Bytes signerKey) {
    apply(new RevokeSigner(payer, signerKey));
  }

  @Override
  public BigInteger redeemVoucher(Voucher voucher) {
    return apply(new RedeemVoucher(voucher));
  }

  @Override
  public void submitClaim(EpochClaim claim) {
    apply(new SubmitClaim(claim));
  }

  @Override
  public void submitProof(ClaimProof proof) {
    apply(new SubmitProof(proof));
  }

  @Override
  public void reportEquivocation(Account reporter, ResponseAttestation first,
      ResponseAttestation second) {
    apply(new SlashEquivocation(reporter, first, second));
  }

  @Override
  public void reportWrongAnswer(Account reporter, ResponseAttestation accused,
      List<ResponseAttestation> quorum) {
    apply(new SlashWrongAnswer(reporter, accused, quorum));
  }

  @Override
  public void tick() {
    apply(new Tick());
  }

  @Override
  public synchronized void close() {
    if (disk != null) {
      disk.handles().forEach(ColumnFamilyHandle::close);
      disk.db().close();
      disk.cfOptions().forEach(ColumnFamilyOptions::close);
      disk.options().close();
    }
  }
}
