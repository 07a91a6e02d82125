package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.testing.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner exec --database}: two hosts (two state directories) on one real PostgreSQL share
 * runs, idempotency keys and the ledger, and each exec process is a node of its own.
 */
class ExecDatabaseIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Test
  void aKeyRunsOnceAcrossHostsAndBothReceiptsAreInOneLedger(@TempDir Path a, @TempDir Path b)
      throws Exception {
    String url = PG.newDatabase() + "?user=" + PG.user() + "&password=" + PG.password();
    RunnerProcess hostA = RunnerProcess.withState(a);
    RunnerProcess hostB = RunnerProcess.withState(b);
    String[] keyed = {
      "exec", "--database", url, "--idempotency-key", "deploy-7", "--", "sh", "-c", "echo ran"
    };
    hostA.run(keyed).succeeds();
    var again = hostB.run(keyed);
    assertThat(again.exitCode()).isZero();
    assertThat(again.stderr()).contains("this trigger already ran as run", "nothing was executed");
    hostB.run("exec", "--database", url, "--", "true").succeeds();

    try (var c = DriverManager.getConnection(url, PG.user(), PG.password());
        var st = c.createStatement()) {
      List<String> owners = new ArrayList<>();
      try (ResultSet r = st.executeQuery("SELECT owner FROM runs ORDER BY created_at")) {
        while (r.next()) {
          owners.add(r.getString(1));
        }
      }
      // Two runs executed (the keyed one once), each claimed by its own exec node.
      assertThat(owners).hasSize(2).doesNotHaveDuplicates().allMatch(o -> o.contains(".exec-"));
      try (ResultSet r = st.executeQuery("SELECT count(*) FROM ledger_entries")) {
        r.next();
        assertThat(r.getLong(1)).isEqualTo(2);
      }
      try (ResultSet r = st.executeQuery("SELECT count(*) FROM nodes WHERE state <> 'retired'")) {
        r.next();
        assertThat(r.getLong(1)).as("every exec node retired at its end").isZero();
      }
    }
    // The SQLite files of neither state directory were used for runs.
    assertThat(Files.exists(a.resolve("state/runs.db"))).isFalse();
    assertThat(Files.exists(b.resolve("state/runs.db"))).isFalse();
  }

  @Test
  void databaseOptionsAreCheckedBeforeAnythingRuns(@TempDir Path w) {
    RunnerProcess r = RunnerProcess.withState(w);
    r.run("exec", "--migrate", "--", "true")
        .failsWithOneLine(125, "--migrate applies to --database");
    r.run("exec", "--database", "mysql://x/y", "--", "true").failsWithOneLine(125, "");
  }
}
