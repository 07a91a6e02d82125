package io.quackrunner.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.store.NodeRecord;
import io.quackrunner.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL restart under load: three {@code runner serve} processes ({@link Cluster}) on a
 * throwaway PostgreSQL of this test's own take the load mix from six submitters, which send their
 * keys in the {@code Idempotency-Key} header, while followers stream each node's runs from the next
 * node. At 40 % of the submissions the server is stopped ({@code pg_ctl stop -m fast}, as {@code
 * pg_ctl restart -m fast} does), left down for {@value #DOWN_MS} ms and started again on its port
 * and data. A submission answered 503 is sent again with its same key after its {@code
 * Retry-After}, as a real client does.
 *
 * <p>Checked: while the database was down the clients got 503 problem+json with {@code Retry-After}
 * and no other error (no 500, no dropped connection); a follow streaming across the outage ended
 * with its end event and the run's whole log; a key always named one run; after the restart every
 * node is still its first, live epoch (none fenced or declared dead), ready, and accepts runs;
 * every accepted run ends with the status its mode allows, its exact log and one receipt (none
 * INTERRUPTED: no node died), no run was started twice, the database holds exactly the accepted
 * runs, nothing is left in any node's sandboxes, and the global ledger verifies with every node's
 * key.
 */
class DatabaseRestartIT {
  private static final int RUNS = 200;
  private static final int NODES = 3;
  private static final long DOWN_MS = 3_000;

  @Test
  void aDatabaseRestartUnderLoadIsAnswered503AndLosesNoRun() throws Exception {
    long t0 = System.nanoTime();
    try (PostgresServer pg = PostgresServer.start()) {
      String url =
          pg.createDatabase("restart")
              + "?user="
              + PostgresServer.USER
              + "&password="
              + PostgresServer.PASSWORD;
      Map<String, Mode> accepted = new ConcurrentHashMap<>();
      Map<String, Mode> inDoubt = new ConcurrentHashMap<>();
      AtomicInteger next = new AtomicInteger();
      List<String> problems = new ArrayList<>();
      List<LoadDriver.Follow> follows = new ArrayList<>();
      LoadDriver[] drivers = new LoadDriver[NODES];
      try (Cluster cluster = Cluster.start(url, NODES)) {
        for (int i = 0; i < NODES; i++) {
          drivers[i] =
              new LoadDriver(cluster.apis[i], "rs-", accepted, inDoubt, next)
                  .keysInHeader()
                  .waitsOutUnavailable();
          drivers[i].submitters(2, RUNS);
          drivers[i].followers(1, cluster.apis[(i + 1) % NODES]);
        }
        while (next.get() < RUNS * 2 / 5) {
          Thread.sleep(20);
        }
        int acceptedBefore = accepted.size();
        long downAt = System.nanoTime();
        pg.stop();
        long stoppedAt = System.nanoTime();
        Thread.sleep(DOWN_MS);
        pg.startAgain();
        long upAt = System.nanoTime();

        long deadline = System.nanoTime() + 120_000_000_000L;
        for (LoadDriver d : drivers) {
          while (!d.submittersDone() && System.nanoTime() < deadline) {
            Thread.sleep(50);
          }
        }
        Map<Integer, Long> answers = new TreeMap<>();
        List<Long> unavailable = new ArrayList<>();
        long followsRefused = 0;
        for (int i = 0; i < NODES; i++) {
          assertThat(drivers[i].submittersDone()).as("node " + i + "'s submitters").isTrue();
          drivers[i].stop();
          follows.addAll(drivers[i].follows);
          for (String f : drivers[i].failures) {
            problems.add("node " + i + ": " + f);
          }
          drivers[i].answers.forEach((code, n) -> answers.merge(code, n.get(), Long::sum));
          unavailable.addAll(drivers[i].unavailableAt);
          followsRefused += drivers[i].followsUnavailable.get();
          long afterRestart = drivers[i].acceptedAt.stream().filter(t -> t > upAt).count();
          assertThat(afterRestart)
              .as("runs node " + i + " accepted after the restart")
              .isPositive();
        }
        assertThat(problems).as("answers other than 2xx, 429 and 503 problem+json").isEmpty();
        assertThat(answers).as("POST /runs answers by status").doesNotContainKey(500);
        assertThat(unavailable).as("503 answers while the database was down").isNotEmpty();
        long firstUnavailable = unavailable.stream().mapToLong(Long::longValue).min().orElseThrow();
        long lastUnavailable = unavailable.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(firstUnavailable).as("no 503 before the stop").isGreaterThanOrEqualTo(downAt);
        assertThat((lastUnavailable - upAt) / 1_000_000)
            .as("ms after the start that a 503 was still answered")
            .isLessThan(10_000);
        long firstAcceptedAfter =
            List.of(drivers).stream()
                .flatMap(d -> d.acceptedAt.stream())
                .filter(t -> t > upAt)
                .mapToLong(Long::longValue)
                .min()
                .orElseThrow();
        assertThat(inDoubt).as("submissions never answered").isEmpty();
        assertThat(accepted).as("every key accepted as one run").hasSize(RUNS);

        long spanning =
            follows.stream().filter(f -> f.sentAt() < downAt && f.endedAt() > upAt).count();
        assertThat(spanning).as("follows streaming across the whole outage").isPositive();

        RunChecks checks = new RunChecks(cluster.apis[0], false);
        checks.awaitAll(accepted, 60_000);
        checks.checkRuns(accepted);
        checks.checkFollows(follows);
        assertThat(checks.problems).isEmpty();
        assertThat(checks.withoutReceipt).as("runs without a receipt").isEmpty();

        for (int i = 0; i < NODES; i++) {
          assertThat(cluster.apis[i].get("/readyz").statusCode()).as("node " + i).isEqualTo(200);
        }
        List<NodeRecord> rows = cluster.nodeRows();
        assertThat(rows).extracting(NodeRecord::nodeId).containsExactlyInAnyOrder("n0", "n1", "n2");
        assertThat(rows)
            .as("each node still its first start, live")
            .allMatch(r -> r.epoch() == 1 && r.state().equals("live"));
        assertThat(cluster.logLines("node.fenced")).isEmpty();
        assertThat(cluster.logLines("node.declared_dead")).isEmpty();
        List<String> reconnected = cluster.logLines("node.reconnected");

        Map<String, Integer> started = cluster.startedPerRun();
        assertThat(started.values()).as("sandboxes started per run").allMatch(n -> n == 1);
        assertThat(started.keySet()).isEqualTo(accepted.keySet());
        Map<String, Integer> receipts = cluster.ledgerReceipts();
        assertThat(receipts.keySet()).isEqualTo(accepted.keySet());
        assertThat(receipts.values()).as("receipts per run in the global ledger").containsOnly(1);
        assertThat(runsInDatabase(url)).as("runs the database holds").isEqualTo(RUNS);
        cluster.assertNoLeftovers(accepted.keySet());

        System.out.printf(
            "DatabaseRestartIT: %d runs on %d nodes in %d s; database stopped at run %d (%d"
                + " accepted), pg_ctl stop took %d ms, down %d ms until pg_ctl start returned;"
                + " POST answers %s, %d follows refused 503; 503s from %+d ms after the stop to"
                + " %+d ms after the start; first run accepted %d ms after the start;"
                + " %d follows (%d across the outage); node.reconnected lines %d; %s%n",
            accepted.size(),
            NODES,
            (System.nanoTime() - t0) / 1_000_000_000,
            RUNS * 2 / 5,
            acceptedBefore,
            (stoppedAt - downAt) / 1_000_000,
            (upAt - downAt) / 1_000_000,
            answers,
            followsRefused,
            (firstUnavailable - downAt) / 1_000_000,
            (lastUnavailable - upAt) / 1_000_000,
            (firstAcceptedAfter - upAt) / 1_000_000,
            follows.size(),
            spanning,
            reconnected.size(),
            checks.statuses);
      }
    }
  }

  private static long runsInDatabase(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM runs")) {
      r.next();
      return r.getLong(1);
    }
  }
}
