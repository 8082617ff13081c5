package io.disjoint.staking.store;

import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.ReceiptBatchMessage;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Receipts and attestations on disk (RocksDB), with the durability promise: the future returned
 * by {@link #append} completes only after the receipt is in a WAL-synced write, so a SIGKILL at
 * any later moment cannot lose it. Receipts, the seen-id index and the running totals of one
 * receipt are written in one atomic batch: no partial record is ever visible.
 *
 * <p>Opening is fail-closed (see {@link StoreMetadata#checkOrCreate}); nothing is ever deleted
 * except by {@link #deleteEpochsBefore}, which the settlement calls explicitly.
 */
public final class ReceiptStore implements AutoCloseable {
  public static final String KIND = "receipts";
  /**
   * 2: an attestation in a {@code receipts} value may be unsigned (zero-length signature, the
   * "not yet signed" marker of lazy attestations); schema-1 values are a subset, so a schema-1
   * store is upgraded in place on its first writable open, and older code then refuses it at
   * open (SCHEMA_TOO_NEW) instead of failing on a value later.
   * 3: batched receipts (no signature of their own, a batch reference after the attestation) and
   * the {@code batches} column family holding the gateways' signed receipt batches; schema-2
   * stores are upgraded the same way.
   */
  public static final int SCHEMA = 3;
  static final List<String> FAMILIES = List.of("receipts", "seen", "totals", "vouchers", "claims", "batches");

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle receipts;
  private final ColumnFamilyHandle seen;
  private final ColumnFamilyHandle totals;
  private final ColumnFamilyHandle vouchers;
  private final ColumnFamilyHandle claims;
  private final ColumnFamilyHandle batches;
  /** Trees of recently read batches (a claim or voucher request meets each batch many times). */
  private final ConcurrentHashMap<Bytes32, ReceiptBatchMessage> batchCache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Account, BigInteger> unvouchered = new ConcurrentHashMap<>();
  private final GroupCommitWriter writer;

  private ReceiptStore(Path dir, RocksDB db, DBOptions dbOptions, List<ColumnFamilyOptions> cfOptions,
      List<ColumnFamilyHandle> handles, StoreConfig config, boolean readOnly) {
    this.dir = dir;
    this.db = db;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.handles = handles;
    this.receipts = handles.get(1);
    this.seen = handles.get(2);
    this.totals = handles.get(3);
    this.vouchers = handles.get(4);
    this.claims = handles.get(5);
    // A read-only open of a schema-1/2 store has no batches family (it is created on the first
    // writable open); its receipts are all signed, so no lookup ever needs one.
    this.batches = handles.size() > 6 ? handles.get(6) : null;
    for (EpochPayerTotals t : summary()) {
      unvouchered.merge(t.payer(), t.unvoucheredValue(), BigInteger::add);
    }
    this.writer = readOnly ? null
        : new GroupCommitWriter(db, receipts, seen, totals, config, unvouchered);
  }

  /** Opens (creating if the directory is new or empty) the store of {@code networkId}. */
  public static ReceiptStore open(Path dir, String networkId, StoreConfig config) {
    StoreMetadata.checkOrCreate(dir, KIND, SCHEMA, networkId, true);
    upgradeSchema(dir);
    return openRocks(dir, config, false);
  }

  /** Rewrites an older (compatible) schema number before anything newer is written. */
  private static void upgradeSchema(Path dir) {
    StoreMetadata m = StoreMetadata.read(dir);
    if (m.schema() < SCHEMA) {
      try {
        new StoreMetadata(m.kind(), SCHEMA, m.networkId()).write(dir);
      } catch (java.io.IOException e) {
        throw new StoreOpenException(StoreOpenException.Kind.ROCKSDB, dir,
            "cannot upgrade " + StoreMetadata.FILE_NAME + " to schema " + SCHEMA + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Opens an existing store read-only, for tools that run beside a live node (the CLI). It sees
   * everything acknowledged before the open (RocksDB replays the WAL into memory without
   * writing); it takes no lock and never writes.
   */
  public static ReceiptStore openReadOnly(Path dir) {
    StoreMetadata.checkOrCreate(dir, KIND, SCHEMA, null, false);
    return openRocks(dir, StoreConfig.DEFAULTS, true);
  }

  private static ReceiptStore openRocks(Path dir, StoreConfig config, boolean readOnly) {
    DBOptions options = StoreRocksOptions.db(readOnly);
    List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    ColumnFamilyOptions defaults = new ColumnFamilyOptions();
    cfOptions.add(defaults);
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaults));
    List<String> families = readOnly ? existingFamilies(options, dir) : FAMILIES;
    for (String name : families) {
      ColumnFamilyOptions o = StoreRocksOptions.family(name);
      cfOptions.add(o);
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), o));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = readOnly
          ? RocksDB.openReadOnly(options, dir.toString(), descriptors, handles)
          : RocksDB.open(options, dir.toString(), descriptors, handles);
      return new ReceiptStore(dir, db, options, cfOptions, handles, config, readOnly);
    } catch (RocksDBException e) {
      cfOptions.forEach(ColumnFamilyOptions::close);
      options.close();
      throw new StoreOpenException(StoreOpenException.Kind.ROCKSDB, dir, e.getMessage(), e);
    }
  }

  /**
   * The families of {@link #FAMILIES} that exist in {@code dir}, in that order (a read-only open
   * cannot create one, and RocksDB refuses to open a missing one).
   */
  private static List<String> existingFamilies(DBOptions options, Path dir) {
    try (ColumnFamilyOptions cfo = new ColumnFamilyOptions();
        org.rocksdb.Options o = new org.rocksdb.Options(options, cfo)) {
      List<String> present = new ArrayList<>();
      for (byte[] name : RocksDB.listColumnFamilies(o, dir.toString())) {
        present.add(new String(name, StandardCharsets.US_ASCII));
      }
      return FAMILIES.stream().filter(present::contains).toList();
    } catch (RocksDBException e) {
      throw new StoreOpenException(StoreOpenException.Kind.ROCKSDB, dir, e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  /**
   * Queues a receipt with its attestation. The future completes after the synced write holding
   * it, or fails with {@link ReceiptWriteException} (duplicate, nonce reuse, I/O, closed).
   * Signatures are not checked here: the caller has run them through {@code ReceiptVerifier}.
   */
  public CompletableFuture<Void> append(PaymentReceipt receipt, ResponseAttestation attestation) {
    if (!receipt.isSigned()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "receipt " + receipt.id() + " has no signature: store it with appendBatched"));
    }
    return append(receipt, attestation, null);
  }

  /**
   * As {@link #append}, for a receipt its gateway signed through a batch: the batch must have been
   * given to {@link #recordBatch} first (same writer queue, so it is durable no later than the
   * receipt).
   */
  public CompletableFuture<Void> appendBatched(PaymentReceipt receipt, ResponseAttestation attestation, BatchRef ref) {
    return append(receipt, attestation, java.util.Objects.requireNonNull(ref, "ref"));
  }

  private CompletableFuture<Void> append(PaymentReceipt receipt, ResponseAttestation attestation, BatchRef ref) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (writer == null) {
      done.completeExceptionally(new ReceiptWriteException(
          ReceiptWriteException.Reason.STORE_UNAVAILABLE, "store opened read-only"));
      return done;
    }
    byte[] body = receipt.signingBytes();
    Bytes32 id = Sha256.hash(body);
    if (!attestation.receiptId().equals(id)) {
      done.completeExceptionally(new IllegalArgumentException(
          "attestation is for receipt " + attestation.receiptId() + ", not " + id));
      return done;
    }
    // the receipt's wire form (signing bytes, u8 signature length, signature), in one copy
    byte[] signature = receipt.signature().toArrayUnsafe();
    byte[] wire = Arrays.copyOf(body, body.length + 1 + signature.length);
    wire[body.length] = (byte) signature.length;
    System.arraycopy(signature, 0, wire, body.length + 1, signature.length);
    byte[] value = StoredReceipt.encodeValue(wire, attestation.encode(), ref);
    byte[] key = StoreKeys.receipt(receipt);
    writer.submit(new GroupCommitWriter.Append(key, StoreKeys.seen(receipt.epoch(), id), value,
        new GroupCommitWriter.TotalsKey(receipt.epoch(), receipt.payer()), receipt.timestampMs(),
        StoreKeys.readU64(key, StoreKeys.NONCE_OFFSET),
        StoreKeys.readU64(key, StoreKeys.NONCE_OFFSET + 8), receipt.computeUnits(),
        receipt.value(), System.nanoTime(), done));
    return done;
  }

  /** Group-commit counters since open (zeros for a read-only store). */
  public WriterStats writerStats() {
    return writer == null ? WriterStats.NONE : writer.stats();
  }

  /** Value of the payer's stored receipts that no voucher covers yet, over all kept epochs. */
  public BigInteger unvoucheredValue(Account payer) {
    return unvouchered.getOrDefault(payer, BigInteger.ZERO);
  }

  public Optional<StoredReceipt> get(long epoch, Bytes32 id) {
    try {
      byte[] key = db.get(seen, StoreKeys.seen(epoch, id));
      if (key == null) {
        return Optional.empty();
      }
      byte[] v = db.get(receipts, key);
      return v == null ? Optional.empty() : Optional.of(StoredReceipt.decodeValue(v));
    } catch (RocksDBException e) {
      throw new ReceiptWriteException(ReceiptWriteException.Reason.IO, e.getMessage(), e);
    }
  }

  public boolean contains(long epoch, Bytes32 id) {
    try {
      return db.get(seen, StoreKeys.seen(epoch, id)) != null;
    } catch (RocksDBException e) {
      throw new ReceiptWriteException(ReceiptWriteException.Reason.IO, e.getMessage(), e);
    }
  }

  /**
   * The payer's receipts of one epoch in key order (timestamp, then nonce), starting strictly
   * after {@code afterTimestampMs}, at most {@code limit}.
   */
  public List<StoredReceipt> receipts(long epoch, Account payer, long afterTimestampMs, int limit) {
    byte[] prefix = StoreKeys.epochPayer(epoch, payer);
    byte[] start = new CanonicalWriter(36).fixed(prefix)
        .u64(afterTimestampMs == Long.MAX_VALUE ? afterTimestampMs : afterTimestampMs + 1)
        .toByteArray();
    List<StoredReceipt> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(receipts)) {
      for (it.seek(start); it.isValid() && out.size() < limit; it.next()) {
        byte[] k = it.key();
        if (!Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
          break;
        }
        out.add(StoredReceipt.decodeValue(it.value()));
      }
    }
    return out;
  }

  /** Every receipt of every epoch, in key order; for tests and audits. */
  public void forEachReceipt(java.util.function.Consumer<StoredReceipt> action) {
    try (RocksIterator it = db.newIterator(receipts)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        action.accept(StoredReceipt.decodeValue(it.value()));
      }
    }
  }

  public EpochPayerTotals totals(long epoch, Account payer) {
    try {
      byte[] v = db.get(totals, StoreKeys.epochPayer(epoch, payer));
      return v == null ? EpochPayerTotals.empty(epoch, payer)
          : EpochPayerTotals.decodeValue(epoch, payer, v);
    } catch (RocksDBException e) {
      throw new ReceiptWriteException(ReceiptWriteException.Reason.IO, e.getMessage(), e);
    }
  }

  /** One row per (epoch, payer), ordered by epoch then payer: the CLI's receipts table. */
  public List<EpochPayerTotals> summary() {
    List<EpochPayerTotals> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(totals)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        out.add(EpochPayerTotals.decodeValue(StoreKeys.readU64(k, 0),
            new Account(Bytes.wrap(k, 8, Account.SIZE)), it.value()));
      }
    }
    return out;
  }

  /**
   * Records a gateway-signed voucher (opaque bytes here) and marks the receipts it covers as
   * vouchered in their (epoch, payer) totals, in one synced batch.
   */
  public CompletableFuture<Void> recordVoucher(Account payer, long sequence, byte[] voucher,
      List<StoredReceipt> covered) {
    return mutate(batch -> {
      batch.writes().put(vouchers, StoreKeys.voucher(payer, sequence), voucher);
      Map<Long, List<StoredReceipt>> byEpoch = new java.util.TreeMap<>();
      for (StoredReceipt r : covered) {
        if (!r.receipt().payer().equals(payer)) {
          throw new IllegalArgumentException("voucher for " + payer + " covers a receipt of "
              + r.receipt().payer());
        }
        byEpoch.computeIfAbsent(r.receipt().epoch(), e -> new ArrayList<>()).add(r);
      }
      for (Map.Entry<Long, List<StoredReceipt>> e : byEpoch.entrySet()) {
        BigInteger sum = BigInteger.ZERO;
        for (StoredReceipt r : e.getValue()) {
          sum = sum.add(r.receipt().value());
        }
        batch.put(batch.totals(e.getKey(), payer).plusVouchered(e.getValue().size(), sum));
      }
    });
  }

  /** The payer's newest voucher as (sequence, bytes). */
  public Optional<Map.Entry<Long, byte[]>> latestVoucher(Account payer) {
    try (RocksIterator it = db.newIterator(vouchers)) {
      it.seekForPrev(StoreKeys.voucher(payer, -1L));
      if (it.isValid()) {
        byte[] k = it.key();
        if (Arrays.equals(k, 0, Account.SIZE, payer.toArray(), 0, Account.SIZE)) {
          return Optional.of(Map.entry(StoreKeys.readU64(k, Account.SIZE), it.value()));
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Records a gateway's signed receipt batch (with its ids) under (epoch, batch id); {@code epoch}
   * is the newest epoch of its receipts. Queue it before the receipts that name it.
   */
  public CompletableFuture<Void> recordBatch(long epoch, ReceiptBatchMessage batch) {
    byte[] value = batch.encode();
    byte[] key = StoreKeys.batch(epoch, batch.batch().id());
    return mutate(b -> b.writes().put(batches, key, value));
  }

  public Optional<ReceiptBatchMessage> batch(long epoch, Bytes32 batchId) {
    ReceiptBatchMessage cached = batchCache.get(batchId);
    if (cached != null) {
      return Optional.of(cached);
    }
    if (batches == null) {
      return Optional.empty();
    }
    try {
      byte[] v = db.get(batches, StoreKeys.batch(epoch, batchId));
      if (v == null) {
        return Optional.empty();
      }
      ReceiptBatchMessage m = ReceiptBatchMessage.decode(v);
      if (batchCache.size() >= 64) {
        batchCache.clear();
      }
      batchCache.put(batchId, m);
      return Optional.of(m);
    } catch (RocksDBException e) {
      throw new ReceiptWriteException(ReceiptWriteException.Reason.IO, e.getMessage(), e);
    }
  }

  /** The batch signature and path standing in for a batched receipt's own signature. */
  public Optional<BatchMembership> membership(StoredReceipt stored) {
    if (stored.batch().isEmpty()) {
      return Optional.empty();
    }
    BatchRef ref = stored.batch().get();
    return batch(ref.epoch(), ref.batchId()).filter(m -> ref.leafIndex() < m.receiptIds().size()
            && m.receiptIds().get(ref.leafIndex()).equals(stored.id()))
        .map(m -> new BatchMembership(m.batch(), m.path(ref.leafIndex())));
  }

  public CompletableFuture<Void> recordClaim(long epoch, Account payer, byte[] claim) {
    return mutate(batch -> batch.writes().put(claims, StoreKeys.epochPayer(epoch, payer), claim));
  }

  public Optional<byte[]> claim(long epoch, Account payer) {
    try {
      return Optional.ofNullable(db.get(claims, StoreKeys.epochPayer(epoch, payer)));
    } catch (RocksDBException e) {
      throw new ReceiptWriteException(ReceiptWriteException.Reason.IO, e.getMessage(), e);
    }
  }

  /** After settlement: removes every receipt, seen id, total and claim of epochs below {@code epoch}. */
  public CompletableFuture<Void> deleteEpochsBefore(long epoch) {
    if (epoch <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] from = StoreKeys.epochStart(0);
    byte[] to = StoreKeys.epochStart(epoch);
    return mutate(batch -> {
      writer.forgetEpochsBefore(batch, epoch);
      for (ColumnFamilyHandle cf : List.of(receipts, seen, totals, claims, batches)) {
        batch.writes().deleteRange(cf, from, to);
      }
    });
  }

  private CompletableFuture<Void> mutate(GroupCommitWriter.MutationBody body) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (writer == null) {
      done.completeExceptionally(new ReceiptWriteException(
          ReceiptWriteException.Reason.STORE_UNAVAILABLE, "store opened read-only"));
      return done;
    }
    writer.submit(new GroupCommitWriter.Mutation(body, System.nanoTime(), done));
    return done;
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
    dbOptions.close();
  }
}
