package io.quackrunner.ledger;

import static io.quackrunner.ledger.LedgerFixture.ORIGIN;
import static io.quackrunner.ledger.LedgerFixture.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.testing.PostgresDatabases;
import io.quackrunner.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link LedgerContract} on PostgreSQL, each {@link #store()} with its own pool (as another node
 * would have), plus what only PostgreSQL has: TRUNCATE refused, and the append rate of several
 * nodes on one head row.
 */
class PostgresLedgerIT extends LedgerContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private final PostgresDatabases dbs = new PostgresDatabases(PG);
  private final List<PostgresDatabase> opened = new ArrayList<>();

  @Override
  protected synchronized LedgerStore store() {
    PostgresDatabase db = dbs.open("ledger");
    opened.add(db);
    return PostgresLedgerStore.open(db);
  }

  @Override
  protected Connection raw() throws SQLException {
    return DriverManager.getConnection(dbs.url("ledger"));
  }

  @Override
  protected String table(String name) {
    return "ledger_" + name;
  }

  @AfterEach
  void closePools() {
    opened.forEach(PostgresDatabase::close);
  }

  @Test
  void aFencedNodesAppendIsRefusedOnceItIsDeclaredDead() throws Exception {
    PostgresDatabase db = dbs.open("ledger");
    opened.add(db);
    try (io.quackrunner.store.RunStore runs = io.quackrunner.store.PostgresRunStore.open(db)) {
      io.quackrunner.store.NodeLease lease = runs.nodes().register("a", 100, null, null);
      PostgresLedgerStore store = PostgresLedgerStore.open(db);
      store.fence(lease);
      try (Ledger ledger = Ledger.open(store, ORIGIN, KEY)) {
        assertThat(ledger.append(entry(0))).as("live: appended").isZero();
        Thread.sleep(300);
        assertThat(runs.nodes().declareDead()).containsExactly(lease);
        assertThatThrownBy(() -> ledger.append(entry(1)))
            .isInstanceOf(io.quackrunner.store.NodeFenced.class)
            .hasMessageContaining("node a epoch 1 is fenced");
        assertThat(ledger.size()).as("nothing appended").isEqualTo(1);
      }
      try (Ledger other = open()) {
        assertThat(other.append(entry(1))).as("an unfenced node appends on").isEqualTo(1);
      }
    }
  }

  @Test
  void truncateIsRefusedOnEveryTable() throws SQLException {
    try (Ledger ledger = open()) {
      ledger.append(entry(0));
      ledger.checkpoint();
    }
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      for (String t : List.of("entries", "nodes", "checkpoints", "settings")) {
        assertThatThrownBy(() -> s.execute("TRUNCATE " + table(t) + " CASCADE"))
            .as(t)
            .hasMessageContaining("append-only");
      }
    }
  }

  @Test
  void threeNodesAppendIntoOneTreeWithoutGapOrFork() throws Exception {
    int nodes = 3;
    int threads = 4;
    int perThread = 100;
    List<Ledger> ledgers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ledgers.add(open());
    }
    long started = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(nodes * threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int n = 0; n < nodes; n++) {
        for (int t = 0; t < threads; t++) {
          Ledger l = ledgers.get(n);
          long base = (n * threads + t) * 1_000_000L;
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < perThread; i++) {
                      l.append(entry(base + i));
                    }
                  }));
        }
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long total = (long) nodes * threads * perThread;
    System.out.printf(
        "PostgreSQL ledger: %d appends from %d nodes x %d threads in %.2f s = %.0f appends/s%n",
        total, nodes, threads, seconds, total / seconds);
    Ledger a = ledgers.get(0);
    assertThat(a.size()).isEqualTo(total);
    List<Long> indices = new ArrayList<>();
    a.checkpoint();
    for (long i = 0; i < total; i++) {
      indices.add(a.indexOf(a.entry(i)).orElseThrow());
    }
    assertThat(indices).doesNotHaveDuplicates().hasSize((int) total);
    assertThat(a.verify(List.of(KEY)).ok()).isTrue();
    for (Ledger l : ledgers) {
      assertThat(l.checkpoint().rootHash()).isEqualTo(a.checkpoint().rootHash());
      l.close();
    }
  }
}
