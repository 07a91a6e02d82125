package io.quackrunner.ledger;

import static io.quackrunner.ledger.LedgerFixture.ORIGIN;
import static io.quackrunner.ledger.LedgerFixture.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link LedgerStore} through {@link Ledger}, run against every backend by a
 * subclass ({@code SqliteLedgerTest}, {@code PostgresLedgerIT}) that says how this test's store is
 * opened; each {@link #store()} is a new store on the same database, as another process or node
 * would have.
 */
public abstract class LedgerContract {
  static final TestNoteKey KEY = new TestNoteKey(ORIGIN);

  /** Opens a new store on this test's ledger database, created empty on the first call. */
  protected abstract LedgerStore store();

  /** Opens a connection to this test's database that bypasses the store, as an attacker would. */
  protected abstract Connection raw() throws SQLException;

  /**
   * Returns the backend's name of ledger table {@code name} (entries, nodes, checkpoints,
   * settings).
   */
  protected abstract String table(String name);

  Ledger open() {
    return Ledger.open(store(), ORIGIN, KEY);
  }

  @Test
  void appendsAtConsecutiveIndicesAndProvesThem() {
    try (Ledger ledger = open()) {
      for (int i = 0; i < 100; i++) {
        assertThat(ledger.append(entry(i))).isEqualTo(i);
      }
      Checkpoint c = ledger.checkpoint();
      assertThat(c.size()).isEqualTo(100);
      TestTree reference = TestTree.ofEntries(0);
      for (int i = 0; i < 100; i++) {
        reference.append(entry(i));
      }
      assertThat(c.rootHash()).isEqualTo(reference.naiveRoot(100));
      for (long i = 0; i < 100; i++) {
        InclusionProof p = InclusionProof.parseJson(ledger.inclusionProof(i, 100).toJson());
        assertThat(p.verify(MerkleProofs.leafHash(entry(i)), c.rootHash()))
            .as("index %d", i)
            .isTrue();
        assertThat(ledger.indexOf(entry(i))).isEqualTo(OptionalLong.of(i));
      }
      assertThat(ledger.indexOf(entry(1000))).isEmpty();
      assertThat(ledger.verify(List.of(KEY))).isEqualTo(LedgerVerification.passed(100));
    }
  }

  @Test
  void provesConsistencyBetweenCheckpointsAcrossReopen() {
    Checkpoint first;
    try (Ledger ledger = open()) {
      ledger.appendAll(List.of(entry(0), entry(1), entry(2)));
      first = ledger.checkpoint();
    }
    try (Ledger ledger = open()) {
      assertThat(ledger.size()).isEqualTo(3);
      assertThat(ledger.latestCheckpoint()).map(Checkpoint::text).contains(first.text());
      for (int i = 3; i < 77; i++) {
        ledger.append(entry(i));
      }
      Checkpoint second = ledger.checkpoint();
      ConsistencyProof p = ConsistencyProof.parseJson(ledger.consistencyProof(3, 77).toJson());
      assertThat(p.verify(first.rootHash(), second.rootHash())).isTrue();
      assertThat(p.verify(second.rootHash(), first.rootHash())).isFalse();
      assertThat(ledger.verify(List.of(KEY)).ok()).isTrue();
    }
  }

  @Test
  void ledgersOnOneFileAsInSeparateProcessesAppendIntoOneTree() throws Exception {
    // Two Ledger objects with their own store connections and frontiers stand for two processes
    // on one state directory: each one's in-memory edge goes stale as soon as the other appends.
    try (Ledger a = open();
        Ledger b = open()) {
      int perSide = 150;
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Long>> indices = new ArrayList<>();
        for (int i = 0; i < perSide; i++) {
          long n = i;
          indices.add(pool.submit(() -> a.append(entry(n))));
          indices.add(pool.submit(() -> b.append(entry(10_000 + n))));
        }
        List<Long> got = new ArrayList<>();
        for (Future<Long> f : indices) {
          got.add(f.get());
        }
        Collections.sort(got);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 2L * perSide; i++) {
          expected.add(i);
        }
        assertThat(got).as("every append got its own index").isEqualTo(expected);
      } finally {
        pool.shutdown();
      }
      assertThat(a.size()).isEqualTo(2L * perSide);
      assertThat(b.size()).isEqualTo(2L * perSide);
      Checkpoint ca = a.checkpoint();
      Checkpoint cb = b.checkpoint();
      assertThat(ca.rootHash()).isEqualTo(cb.rootHash());
      TestTree reference = TestTree.ofEntries(0);
      for (long i = 0; i < 2L * perSide; i++) {
        reference.append(a.entry(i));
      }
      assertThat(ca.rootHash()).isEqualTo(reference.naiveRoot(2L * perSide));
      long index = a.indexOf(entry(10_000 + 7)).orElseThrow();
      assertThat(
              a.inclusionProof(index, ca.size())
                  .verify(MerkleProofs.leafHash(entry(10_000 + 7)), ca.rootHash()))
          .isTrue();
      assertThat(a.verify(List.of(KEY))).isEqualTo(LedgerVerification.passed(2L * perSide));
    }
  }

  @Test
  void batchesConcurrentAppendersIntoFewTransactions() throws Exception {
    AtomicInteger transactions = new AtomicInteger();
    LedgerStore store = new CountingStore(store(), transactions);
    int threads = 16;
    int perThread = 100;
    List<Long> indices = Collections.synchronizedList(new ArrayList<>());
    try (Ledger ledger = Ledger.open(store, ORIGIN, KEY);
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    byte[] e = entry(thread * 1_000_000L + i);
                    long index = ledger.append(e);
                    assertThat(ledger.entry(index)).isEqualTo(e);
                    indices.add(index);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      assertThat(indices).hasSize(threads * perThread).doesNotHaveDuplicates();
      assertThat(Collections.max(indices)).isEqualTo(threads * perThread - 1L);
      assertThat(transactions.get()).isLessThan(threads * perThread);
      ledger.checkpoint();
      assertThat(ledger.verify(List.of(KEY)).ok()).isTrue();
    }
  }

  @Test
  void triggersRefuseUpdateAndDeleteOnEveryTable() throws SQLException {
    try (Ledger ledger = open()) {
      ledger.append(entry(0));
      ledger.checkpoint();
    }
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      for (String sql :
          List.of(
              "UPDATE " + table("entries") + " SET entry = entry",
              "DELETE FROM " + table("entries"),
              "UPDATE " + table("nodes") + " SET hash = hash",
              "DELETE FROM " + table("nodes"),
              "UPDATE " + table("checkpoints") + " SET text = text",
              "DELETE FROM " + table("checkpoints"),
              "UPDATE " + table("settings") + " SET value = value",
              "DELETE FROM " + table("settings"))) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).hasMessageContaining("append-only");
      }
    }
  }

  /**
   * Appends racing {@code close}: each is durable at the index it returned or refused with
   * RECEIPT_COMMIT_FAILED; none is lost, and none is left waiting (close wakes the group-commit
   * writer and is atomic with queuing, issue 19).
   */
  @Test
  void appendsRacingCloseAreDurableOrRefusedAndNeverLeftWaiting() throws Exception {
    Ledger ledger = open();
    int threads = 8;
    java.util.Map<Long, byte[]> durable = new java.util.concurrent.ConcurrentHashMap<>();
    List<Object> refusals = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(threads);
    List<Thread> appenders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      appenders.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                      byte[] e = ("race " + id + " " + i).getBytes(StandardCharsets.UTF_8);
                      try {
                        durable.put(ledger.append(e), e);
                      } catch (RuntimeException x) {
                        refusals.add(x instanceof RunnerException r ? r.kind() : x);
                        return;
                      }
                    }
                  }));
    }
    started.await();
    Thread.sleep(50); // let some batches commit first; the assertions hold either way
    ledger.close();
    for (Thread t : appenders) {
      t.join(60_000);
      assertThat(t.isAlive()).as("an append left waiting after close").isFalse();
    }
    assertThat(refusals).hasSize(threads).containsOnly(ErrorKind.RECEIPT_COMMIT_FAILED);
    try (Ledger again = open()) {
      assertThat(again.size()).isEqualTo(durable.size());
      for (var e : durable.entrySet()) {
        assertThat(again.indexOf(e.getValue())).isEqualTo(OptionalLong.of(e.getKey()));
      }
    }
  }

  @Test
  void refusesAnotherOrigin() {
    open().close();
    assertThatThrownBy(() -> Ledger.open(store(), "other/origin", KEY))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("origin");
  }

  @Test
  void refusesProofsBeyondItsSize() {
    try (Ledger ledger = open()) {
      ledger.append(entry(0));
      assertThatThrownBy(() -> ledger.inclusionProof(0, 2))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ledger.inclusionProof(1, 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ledger.consistencyProof(1, 2))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Counts store transactions, to observe group commit. */
  private record CountingStore(LedgerStore delegate, AtomicInteger appends) implements LedgerStore {
    @Override
    public long size() {
      return delegate.size();
    }

    @Override
    public void append(
        long first, List<byte[]> entries, List<byte[]> leaves, List<TreeNode> nodes) {
      appends.incrementAndGet();
      delegate.append(first, entries, leaves, nodes);
    }

    @Override
    public byte[] entry(long index) {
      return delegate.entry(index);
    }

    @Override
    public NodeSource nodes() {
      return delegate.nodes();
    }

    @Override
    public OptionalLong indexOfLeaf(byte[] leafHash) {
      return delegate.indexOfLeaf(leafHash);
    }

    @Override
    public void addCheckpoint(long size, String text) {
      delegate.addCheckpoint(size, text);
    }

    @Override
    public List<String> checkpoints() {
      return delegate.checkpoints();
    }

    @Override
    public Optional<String> setting(String key) {
      return delegate.setting(key);
    }

    @Override
    public String putSettingIfAbsent(String key, String value) {
      return delegate.putSettingIfAbsent(key, value);
    }

    @Override
    public void scanEntries(EntryVisitor visitor) {
      delegate.scanEntries(visitor);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
