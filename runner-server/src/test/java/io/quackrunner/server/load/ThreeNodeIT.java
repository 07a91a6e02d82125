package io.quackrunner.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.ConsistencyProof;
import io.quackrunner.testing.PostgresExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three gateway nodes ({@code runner serve --database URL --node-id … --content-dir DIR}) as
 * separate OS processes on one throwaway PostgreSQL and one content directory. 500 runs of the load
 * mix (quick, python, slow, failing, over a memory limit, over the wall time) are submitted to all
 * three while followers stream each node's runs from the next node; node 1 is killed with SIGKILL
 * at about 40 % of the submissions and started again (same node id, a new epoch) after its lease
 * lapsed; requests whose answer the kill swallowed are sent again, with the same idempotency key,
 * to another node; a sample of keys is sent again to a node other than the first. Afterwards: every
 * accepted run is terminal with its one receipt, no run was started twice (counted from every
 * node's {@code run.started} log lines and from the ledger), a key resent to another node named the
 * same run, nothing is left in any node's sandboxes, and the global ledger verifies and is
 * consistent (RFC 9162 proof from the nodes' API) with a checkpoint taken before the kill.
 */
class ThreeNodeIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final int RUNS = 500;

  @Test
  void threeNodesOneLedgerAKilledNodeLosesNothingAndRunsNothingTwice() throws Exception {
    long t0 = System.nanoTime();
    String url = PG.newDatabase() + "?user=" + PG.user() + "&password=" + PG.password();
    Map<String, Mode> accepted = new ConcurrentHashMap<>();
    Map<String, Mode> inDoubt = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<String> problems = new ArrayList<>();
    List<LoadDriver.Follow> follows = new ArrayList<>();
    LoadDriver[] drivers = new LoadDriver[3];
    try (Cluster cluster = Cluster.start(url, 3)) {
      LoadApi[] apis = cluster.apis;
      // Followers on another node than the one a run was sent to, never on node 1 (it is killed).
      drivers[0] = drive(apis[0], apis[2], accepted, inDoubt, next);
      drivers[1] = drive(apis[1], apis[2], accepted, inDoubt, next);
      drivers[2] = drive(apis[2], apis[0], accepted, inDoubt, next);
      while (next.get() < RUNS * 2 / 5) {
        Thread.sleep(20);
      }
      Checkpoint before = Checkpoint.parse(apis[0].get("/ledger/checkpoint").body());
      drivers[1].stopping();
      cluster.nodes[1].kill9();
      drivers[1].stop();
      collect(drivers[1], follows, problems, "node 1 before its kill");
      long killedAt = System.nanoTime();
      // The survivors go on submitting meanwhile.
      Thread.sleep(4_000); // past node 1's 3 s lease: a live node recovers its runs
      cluster.startNode(1);
      System.out.printf(
          "ThreeNodeIT: node 1 killed at run %d, back after %d ms%n",
          RUNS * 2 / 5, (System.nanoTime() - killedAt) / 1_000_000);
      drivers[1] = drive(apis[1], apis[2], accepted, inDoubt, next);
      for (int i = 0; i < 3; i++) {
        while (!drivers[i].submittersDone()) {
          Thread.sleep(50);
        }
      }
      for (int i = 0; i < 3; i++) {
        drivers[i].stop();
        collect(drivers[i], follows, problems, "node " + i);
      }
      LoadDriver resend = new LoadDriver(apis[2], "3n-", accepted, inDoubt, next);
      for (Map.Entry<String, Mode> e : Map.copyOf(inDoubt).entrySet()) {
        resend.submit(e.getKey(), e.getValue());
      }
      resend.failures.forEach(f -> problems.add("resend: " + f));
      assertThat(inDoubt).as("requests whose fate stayed unknown").isEmpty();
      int before2 = accepted.size();
      Map<String, Mode> again = new ConcurrentHashMap<>();
      LoadDriver twice = new LoadDriver(apis[0], "3n-", again, new ConcurrentHashMap<>(), next);
      for (int i = 0; i < RUNS; i += 25) {
        twice.submit("3n-" + i, Mode.of(i));
      }
      twice.failures.forEach(f -> problems.add("resubmit: " + f));
      assertThat(accepted.keySet())
          .as("a key sent again to another node names the run it made")
          .containsAll(again.keySet());
      assertThat(accepted).hasSize(before2);

      RunChecks checks = new RunChecks(apis[2], true);
      checks.awaitAll(accepted, 300_000);
      checks.checkRuns(accepted);
      checks.checkFollows(follows);
      problems.addAll(checks.problems);
      assertThat(checks.withoutReceipt).as("runs without a receipt").isEmpty();
      assertThat(problems).isEmpty();
      assertThat(accepted).as("every run accepted once").hasSize(RUNS);

      Checkpoint after = Checkpoint.parse(apis[1].get("/ledger/checkpoint").body());
      ConsistencyProof proof =
          ConsistencyProof.parseJson(
              apis[1]
                  .get("/ledger/proof/consistency?from=" + before.size() + "&to=" + after.size())
                  .body());
      assertThat(proof.verify(before.rootHash(), after.rootHash()))
          .as("the tree after the kill extends the one checkpointed before it")
          .isTrue();

      Map<String, Integer> started = cluster.startedPerRun();
      assertThat(started.values()).as("sandboxes started per run").allMatch(n -> n == 1);
      assertThat(accepted.keySet()).containsAll(started.keySet());
      Map<String, Integer> receipts = cluster.ledgerReceipts();
      assertThat(receipts.keySet()).isEqualTo(accepted.keySet());
      assertThat(receipts.values()).as("receipts per run in the global ledger").containsOnly(1);
      cluster.assertNoLeftovers(accepted.keySet());
      Map<String, Long> statuses = new java.util.TreeMap<>();
      checks.statuses.forEach((k, v) -> statuses.merge(k, (long) v, Long::sum));
      System.out.printf(
          "ThreeNodeIT: %d runs on 3 nodes in %d s, %d followed from another node; %s%n",
          accepted.size(), (System.nanoTime() - t0) / 1_000_000_000, follows.size(), statuses);
    }
  }

  private static LoadDriver drive(
      LoadApi on,
      LoadApi followOn,
      Map<String, Mode> accepted,
      Map<String, Mode> inDoubt,
      AtomicInteger next) {
    LoadDriver d = new LoadDriver(on, "3n-", accepted, inDoubt, next);
    d.submitters(2, RUNS);
    d.followers(1, followOn);
    return d;
  }

  private static void collect(
      LoadDriver d, List<LoadDriver.Follow> follows, List<String> problems, String where) {
    follows.addAll(d.follows);
    d.failures.forEach(f -> problems.add(where + ": " + f));
  }
}
