package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.ledger.SqliteLedgerStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded databases' Flyway policy: a state directory from before Flyway is baselined and
 * migrated forward keeping its records, a new one is created, a newer schema is refused.
 */
class SqliteMigrationTest {
  private static final String OLD = "state-before-flyway/";

  @TempDir Path dir;

  @Test
  void aStateDirectoryFromBeforeFlywayKeepsItsRunAndLedger() throws Exception {
    Path runs = copy("runs.db");
    Path ledger = copy("ledger/ledger.db");
    try (RunStore s = RunStore.open(runs)) {
      assertThat(s.count()).isEqualTo(1);
      RunRecord r = s.byStatus(RunStatus.SUCCEEDED).get(0);
      assertThat(r.receiptJson()).isNotNull();
      assertThat(r.ledgerIndex()).isZero();
    }
    try (SqliteLedgerStore l = SqliteLedgerStore.open(ledger)) {
      assertThat(l.size()).isEqualTo(1);
      assertThat(l.checkpoints()).hasSize(1);
    }
    assertThat(history(runs)).containsExactly("0 BASELINE", "1 SQL", "2 SQL", "3 SQL");
    assertThat(history(ledger)).containsExactly("0 BASELINE", "1 SQL");
    try (RunStore s = RunStore.open(runs)) { // a second open finds version 3 and runs nothing
      assertThat(s.count()).isEqualTo(1);
      assertThat(s.nodes().register("local", 1000, null, null).epoch()).isEqualTo(1);
    }
    assertThat(history(runs)).hasSize(4);
  }

  @Test
  void aVersion1StateDirectoryMigratesToVersion2KeepingItsRuns() throws Exception {
    Path runs = dir.resolve("v1/runs.db");
    Files.createDirectories(runs.getParent());
    org.flywaydb.core.Flyway.configure(getClass().getClassLoader())
        .dataSource("jdbc:sqlite:" + runs, null, null)
        .locations("classpath:" + Schema.Location.SQLITE_RUNS.path())
        .target("1")
        .load()
        .migrate();
    assertThat(history(runs)).containsExactly("1 SQL");
    RunRecord r = RunStoreContract.queued("t", "trig-v1");
    try (Connection c = SqliteDatabase.connect(runs);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO runs (id, tenant, trigger_hash, request_hash, tool, version, verb, status,"
              + " request_json, created_at, owner) VALUES ('"
              + r.id()
              + "', 't', 'trig-v1', 'req', 'sh', '1', 'run', 'QUEUED', '{}', '"
              + r.createdAt()
              + "', '1:0')");
    }
    try (RunStore s = RunStore.open(runs)) {
      assertThat(s.find(r.id())).isPresent();
      NodeLease l = s.nodes().register("local", 1000, "k", "PUB");
      assertThat(s.nodes().keys()).extracting(NodeKey::publicKey).containsExactly("PUB");
      assertThat(s.nodes().live(l)).isTrue();
    }
    assertThat(history(runs)).containsExactly("1 SQL", "2 SQL", "3 SQL");
  }

  @Test
  void aRunsTableOlderThanTheOriginColumnsGetsThem() throws Exception {
    Path runs = dir.resolve("runs.db");
    DatabaseFiles.prepare(runs);
    try (Connection c = SqliteDatabase.connect(runs);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE runs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
              + " trigger_hash TEXT NOT NULL UNIQUE, request_hash TEXT NOT NULL,"
              + " tool TEXT NOT NULL, version TEXT NOT NULL, verb TEXT NOT NULL,"
              + " status TEXT NOT NULL, request_json TEXT NOT NULL,"
              + " created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,"
              + " exit_code INTEGER, signal INTEGER, error_kind TEXT, error_detail TEXT,"
              + " result_json TEXT, receipt_json TEXT, ledger_index INTEGER,"
              + " owner TEXT NOT NULL)");
    }
    try (RunStore s = RunStore.open(runs)) {
      RunRecord r = RunStoreContract.queued("t", "trig-old");
      assertThat(s.claim(r).created()).isTrue();
      assertThat(s.find(r.id())).isPresent();
    }
  }

  @Test
  void aNewDatabaseIsCreatedAtTheCodesVersion() throws Exception {
    Path runs = dir.resolve("fresh/runs.db");
    try (RunStore s = RunStore.open(runs)) {
      assertThat(s.count()).isZero();
    }
    try (Connection c = SqliteDatabase.connect(runs)) {
      assertThat(Schema.installedVersion(c, Schema.Location.SQLITE_RUNS))
          .isEqualTo(Schema.Location.SQLITE_RUNS.version());
    }
  }

  @Test
  void aSchemaNewerThanTheCodeIsRefused() throws Exception {
    Path runs = dir.resolve("runs.db");
    RunStore.open(runs).close();
    try (Connection c = SqliteDatabase.connect(runs);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " installed_by, execution_time, success) VALUES (99, '99', 'future', 'SQL',"
              + " 'V99__future.sql', 'test', 0, 1)");
    }
    assertThatThrownBy(() -> RunStore.open(runs))
        .isInstanceOfSatisfying(
            RunnerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.SCHEMA_MISMATCH))
        .hasMessageContaining("schema version 99, newer than this runner's 3")
        .hasMessageNotContaining("\n");
  }

  @Test
  void theCodesVersionsAreTheHighestMigrationsOnTheClassPath() {
    for (Schema.Location l : Schema.Location.values()) {
      String next = l.path() + "/V" + (l.version() + 1) + "__";
      assertThat(getClass().getClassLoader().getResource(l.path())).as(l.name()).isNotNull();
      assertThat(migrationNames(l))
          .as(l.name())
          .anyMatch(n -> n.startsWith("V" + l.version() + "__"))
          .noneMatch(n -> n.startsWith(next.substring(next.lastIndexOf('/') + 1)));
    }
  }

  private List<String> migrationNames(Schema.Location l) {
    try {
      Path folder = Path.of(getClass().getClassLoader().getResource(l.path()).toURI());
      try (var s = Files.list(folder)) {
        return s.map(p -> p.getFileName().toString()).toList();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Path copy(String name) throws Exception {
    Path to = dir.resolve(name);
    Files.createDirectories(to.getParent());
    try (InputStream in = getClass().getResourceAsStream(OLD + name)) {
      Files.copy(in, to);
    }
    return to;
  }

  private static List<String> history(Path db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = SqliteDatabase.connect(db);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT version, type FROM flyway_schema_history ORDER BY installed_rank")) {
      while (r.next()) {
        out.add(r.getString(1) + " " + r.getString(2));
      }
    }
    return out;
  }
}
