package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.execution.RunStatus;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.receipts.ReceiptVerifier;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.sandbox.Workspace;
import io.quackrunner.store.NodeKey;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.store.Schema;
import io.quackrunner.testing.PostgresDatabases;
import io.quackrunner.testing.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway nodes as separate OS processes ({@link NodeChild}) on one throwaway PostgreSQL with a
 * 2 s lease: a node killed with SIGKILL, or frozen with SIGSTOP past its lease, while a command is
 * RUNNING is declared dead by the other, which interrupts the run with exactly one receipt (signed
 * with its key, listed in {@code node_keys}) and never re-executes it; the frozen node, resumed,
 * has its late finish refused (fenced) and appends nothing.
 */
class NodeFailoverIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final long LEASE_MS = 2000;

  private final PostgresDatabases dbs = new PostgresDatabases(PG);
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (Node n : nodes) {
      signal(n, "CONT");
      n.process.destroyForcibly();
    }
    // A killed node leaves its run's workspace mounted, as a crashed runner does on a host; its
    // own restart would sweep it (RunRecovery), this test's nodes never restart.
    for (Node n : nodes) {
      n.process.waitFor(10, TimeUnit.SECONDS);
      Path sandboxes = n.state().resolve("sandboxes");
      if (Files.isDirectory(sandboxes)) {
        try (var runs = Files.list(sandboxes)) {
          for (Path run : runs.toList()) {
            Workspace.discard(sandboxes, run.getFileName().toString());
          }
        }
      }
    }
  }

  @RepeatedTest(5)
  void aKilledNodesRunningRunIsInterruptedOnceByTheLiveNode() throws Exception {
    String url = dbs.url("failover");
    Node b = start(url, "b", "idle");
    b.await("JOINED");
    Node a = start(url, "a", "exec", "30");
    a.await("JOINED");
    String id = a.await("EXEC-ID").split(" ")[1];
    try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.REFUSE_PENDING, 2);
        RunStore store = PostgresRunStore.open(db)) {
      awaitRecord(store, id, r -> r.status() == RunStatus.RUNNING, 30_000);
      long t0 = System.nanoTime();
      a.process.destroyForcibly(); // SIGKILL
      a.process.waitFor(10, TimeUnit.SECONDS);
      RunRecord r =
          awaitRecord(
              store,
              id,
              x -> x.status() == RunStatus.INTERRUPTED && x.receiptJson() != null,
              20_000);
      System.out.printf(
          "NodeFailoverIT kill -9: interrupted with receipt %d ms after the kill (lease %d ms)%n",
          (System.nanoTime() - t0) / 1_000_000, LEASE_MS);
      assertThat(r.owner()).startsWith("node:b:");
      assertThat(store.nodes().find("a").orElseThrow().state()).isEqualTo("dead");
      assertThat(store.nodes().find("b").orElseThrow().state()).isEqualTo("live");
      assertOneVerifiedReceipt(db, store, r);
    }
  }

  @RepeatedTest(5)
  void aFrozenNodePastItsLeaseIsFencedAndItsLateFinishRefused() throws Exception {
    String url = dbs.url("failover");
    Node b = start(url, "b", "idle");
    b.await("JOINED");
    Node a = start(url, "a", "exec", "6");
    a.await("JOINED");
    String id = a.await("EXEC-ID").split(" ")[1];
    try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.REFUSE_PENDING, 2);
        RunStore store = PostgresRunStore.open(db)) {
      awaitRecord(store, id, r -> r.status() == RunStatus.RUNNING, 30_000);
      signal(a, "STOP");
      RunRecord r =
          awaitRecord(
              store,
              id,
              x -> x.status() == RunStatus.INTERRUPTED && x.receiptJson() != null,
              20_000);
      assertThat(r.owner()).startsWith("node:b:");
      // Past the command's own end (6 s), so A resumes with a result to finish.
      Thread.sleep(4000);
      signal(a, "CONT");
      String outcome = a.await("EXEC-");
      assertThat(outcome)
          .startsWith("EXEC-REFUSED NodeFenced UNAVAILABLE")
          .contains("node a epoch 1 is fenced");
      RunRecord after = store.find(id).orElseThrow();
      assertThat(after.status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(after.receiptJson()).isEqualTo(r.receiptJson());
      assertThat(after.owner()).isEqualTo(r.owner());
      assertThat(store.nodes().find("a").orElseThrow().state()).isEqualTo("dead");
      assertOneVerifiedReceipt(db, store, after);
      assertThat(Files.exists(b.state.resolve("out-" + id))).as("never run on b").isFalse();
    }
  }

  /** The ledger holds exactly one entry, the run's receipt, verifying with a listed node key. */
  private static void assertOneVerifiedReceipt(PostgresDatabase db, RunStore store, RunRecord r) {
    List<VerifierKey> keys = new ArrayList<>();
    for (NodeKey k : store.nodes().keys()) {
      keys.add(
          VerifierKey.of(
              k.keyId().substring(0, k.keyId().lastIndexOf('+')),
              Base64.getDecoder().decode(k.publicKey())));
    }
    assertThat(keys).hasSize(2);
    PostgresLedgerStore ls = PostgresLedgerStore.open(db);
    String origin = ls.setting(Ledger.ORIGIN_SETTING).orElseThrow();
    try (Ledger ledger = Ledger.open(ls, origin, SigningKey.generate(origin))) {
      List<String> ids = new ArrayList<>();
      for (long i = 0; i < ledger.size(); i++) {
        ids.add(
            ReceiptStatement.parse(Dsse.parse(ledger.entry(i)).payload())
                .predicate()
                .executionId());
      }
      assertThat(ids).as("one receipt, for this run").containsExactly(r.id());
      assertThat(r.ledgerIndex()).isZero();
      byte[] envelope = r.receiptJson().getBytes(StandardCharsets.UTF_8);
      assertThat(envelope).isEqualTo(ledger.entry(0));
      assertThat(new ReceiptVerifier(keys).verify(envelope, null, null).ok()).isTrue();
      assertThat(ledger.verify(keys).ok()).isTrue();
    }
  }

  private static RunRecord awaitRecord(
      RunStore store, String id, Predicate<RunRecord> done, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    RunRecord last = null;
    while (System.currentTimeMillis() < end) {
      last = store.find(id).orElse(null);
      if (last != null && done.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " did not reach the expected state: " + last);
  }

  private Node start(String url, String id, String... mode) throws Exception {
    Path state = Files.createTempDirectory("qr-node-" + id + "-");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"));
    cmd.add(NodeChild.class.getName());
    cmd.addAll(List.of(url, state.toString(), id, String.valueOf(LEASE_MS)));
    cmd.addAll(List.of(mode));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Node n = new Node(p, state, new LinkedBlockingQueue<>());
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (!line.startsWith("{")) { // JSON log lines are not the protocol
                    n.lines.add(line);
                  }
                }
              } catch (java.io.IOException ignored) {
                // the node was killed
              }
            });
    nodes.add(n);
    return n;
  }

  private static void signal(Node n, String sig) {
    try {
      new ProcessBuilder("kill", "-" + sig, String.valueOf(n.process.pid()))
          .inheritIO()
          .start()
          .waitFor();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record Node(Process process, Path state, BlockingQueue<String> lines) {
    String await(String prefix) throws InterruptedException {
      long end = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < end) {
        String l = lines.poll(100, TimeUnit.MILLISECONDS);
        if (l != null && l.startsWith(prefix)) {
          return l;
        }
        if (l == null && !process.isAlive()) {
          throw new AssertionError("node exited with " + process.exitValue());
        }
      }
      throw new AssertionError("no line " + prefix + " within 60 s");
    }
  }
}
