package io.disjoint.staking.ledger;

import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR;
import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.disjoint.staking.ledger.LedgerOp.Genesis;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.store.StoreMetadata;
import io.disjoint.staking.store.StoreOpenException;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;

class LedgerPersistenceTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final Bytes node = Bytes.wrap(Fixtures.nodeKey().peerId().bytes());

  private Bytes32 populate() {
    try (EmbeddedLedger l = EmbeddedLedger.open(dir, LedgerFixtures.genesis(), clock)) {
      l.stake(OPERATOR, node, n(1500));
      clock.advance(10);
      l.deposit(Fixtures.PAYER, n(5000));
      l.thaw(Fixtures.PAYER, n(100));
      l.authorizeSigner(Fixtures.PAYER, Bytes.wrap(Fixtures.gatewayKey().publicKey().marshal()));
      l.unstake(node, n(500));
      assertThrows(LedgerException.class, () -> l.withdrawUnbonded(node));
      return l.stateHash();
    }
  }

  @Test
  void reopenedAndReplayedStateHashesAreIdentical() {
    Bytes32 hash = populate();
    try (EmbeddedLedger l = EmbeddedLedger.open(dir, LedgerFixtures.genesis(), clock)) {
      assertEquals(hash, l.stateHash());
      assertEquals(6, l.log().size(), "genesis + 5 applied ops; the refused one is not logged");
      assertEquals(hash, EmbeddedLedger.replay(l.log()));
      assertEquals(n(1000), l.nodeStake(node).orElseThrow().staked());
      clock.advance(1_000);
      l.withdrawUnbonded(node);
    }
    try (EmbeddedLedger existing = EmbeddedLedger.openExisting(dir, clock)) {
      existing.deposit(Fixtures.PAYER, n(1));
      assertEquals(EmbeddedLedger.replay(existing.log()), existing.stateHash());
    }
    assertEquals(StoreOpenException.Kind.NO_STORE, assertThrows(StoreOpenException.class,
        () -> EmbeddedLedger.openExisting(dir.resolve("nothing"), clock)).kind());
    try (EmbeddedLedger ro = EmbeddedLedger.openReadOnly(dir, clock)) {
      assertEquals(n(9_000), ro.balance(OPERATOR));
      assertEquals(LedgerException.Reason.INVALID,
          assertThrows(LedgerException.class, ro::tick).reason());
    }
  }

  @Test
  void failsClosedOnAnotherNetworkOrMissingMetadata() throws Exception {
    populate();
    Genesis other = new Genesis(LedgerParams.testnet(new NetworkDomain("other-net", 1)), Map.of(), n(0));
    assertEquals(StoreOpenException.Kind.WRONG_NETWORK,
        assertThrows(StoreOpenException.class, () -> EmbeddedLedger.open(dir, other, clock)).kind());
    Files.delete(dir.resolve(StoreMetadata.FILE_NAME));
    assertEquals(StoreOpenException.Kind.METADATA_MISSING, assertThrows(StoreOpenException.class,
        () -> EmbeddedLedger.open(dir, LedgerFixtures.genesis(), clock)).kind());
  }

  @Test
  void stateThatDisagreesWithItsLogIsRefused() throws Exception {
    populate();
    // lose the last log entry behind the ledger's back
    List<ColumnFamilyDescriptor> cfs = new ArrayList<>();
    for (String name : List.of("default", "log", "state")) {
      cfs.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII)));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (RocksDB db = RocksDB.open(dir.toString(), cfs, handles)) {
      db.delete(handles.get(1), new byte[] {0, 0, 0, 0, 0, 0, 0, 5});
      handles.forEach(ColumnFamilyHandle::close);
    }
    assertEquals(StoreOpenException.Kind.INCONSISTENT, assertThrows(StoreOpenException.class,
        () -> EmbeddedLedger.open(dir, LedgerFixtures.genesis(), clock)).kind());
  }
}
