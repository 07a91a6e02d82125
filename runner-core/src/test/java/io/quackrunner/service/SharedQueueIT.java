package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.Schema;
import io.quackrunner.testing.PostgresDatabases;
import io.quackrunner.testing.PostgresExtension;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run queue shared by two nodes (two {@link RunService}s in this JVM, each with its own state
 * directory, pool, node id and ledger handle) on one throwaway PostgreSQL: a run accepted on a busy
 * node is executed by the idle one, concurrent claims execute every run exactly once, the queue
 * bound holds across both nodes, and a notification wakes the idle node faster than its polling.
 */
class SharedQueueIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @TempDir Path dir;
  private final PostgresDatabases dbs = new PostgresDatabases(PG);
  private final List<AutoCloseable> open = new ArrayList<>();
  private ToolRegistry registry;

  @AfterEach
  void close() throws Exception {
    QueueClaims.listen = true;
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void aRunAcceptedOnABusyNodeIsExecutedByTheIdleOne() throws Exception {
    RunService a = node("a", 1, 8);
    RunRecord longRun = a.submit("t", sleep(30_000)).record();
    assertThat(longRun.owner()).as("kept at accept: A had a free slot").startsWith("node:a:");
    await(a, longRun.id(), r -> r.status() == RunStatus.RUNNING);
    RunService b = node("b", 1, 8);
    RunRecord r = a.submit("t", sleep(0)).record();
    assertThat(r.owner()).as("A has no free slot: queued for any node").isEqualTo("unclaimed");
    RunRecord done = a.await(r.id(), Duration.ofSeconds(60));
    assertThat(done.status()).as(String.valueOf(done.errorDetail())).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.owner()).startsWith("node:b:");
    done = await(a, r.id(), x -> x.receiptJson() != null);
    assertThat(b.get("t", r.id())).isEqualTo(done);
    // The long run, claimed by A, is cancelled from B across nodes.
    RunRecord cancelled = b.cancel("t", longRun.id());
    assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
  }

  @RepeatedTest(5)
  void concurrentClaimsOfTwoNodesExecuteEveryRunExactlyOnce() throws Exception {
    RunService a = node("a", 2, 200);
    RunService b = node("b", 2, 200);
    int n = 40;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RunService s = i % 2 == 0 ? a : b;
      ids.add(
          pool.submit(
              (Callable<String>)
                  () -> {
                    go.await();
                    return s.submit("t", sleep(0)).record().id();
                  }));
    }
    go.countDown();
    Set<String> want = new HashSet<>();
    int byA = 0;
    for (Future<String> f : ids) {
      String id = f.get();
      want.add(id);
      RunRecord r = a.await(id, Duration.ofSeconds(120));
      assertThat(r.status()).as(String.valueOf(r.errorDetail())).isEqualTo(RunStatus.SUCCEEDED);
      // The executing node records the receipt just after the terminal status.
      r = await(a, id, x -> x.receiptJson() != null);
      byA += r.owner().startsWith("node:a:") ? 1 : 0;
    }
    pool.shutdown();
    assertThat(want).hasSize(n);
    List<String> receipted = ledgerIds();
    assertThat(receipted).as("one receipt per run, none twice").hasSize(n);
    assertThat(new HashSet<>(receipted)).isEqualTo(want);
    System.out.printf(
        "SharedQueueIT exactly-once: %d runs, %d executed on a, %d on b%n", n, byA, n - byA);
  }

  @RepeatedTest(5)
  void theQueueBoundHoldsAcrossBothNodes() throws Exception {
    int capacity = 3;
    RunService a = node("a", 1, capacity);
    RunService b = node("b", 1, capacity);
    List<String> longRuns = new ArrayList<>();
    for (RunService s : List.of(a, b)) {
      String id = s.submit("t", sleep(30_000)).record().id();
      longRuns.add(id);
      await(s, id, r -> r.status() == RunStatus.RUNNING);
    }
    ExecutorService pool = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> tries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      RunService s = i % 2 == 0 ? a : b;
      tries.add(
          pool.submit(
              (Callable<String>)
                  () -> {
                    go.await();
                    try {
                      return s.submit("t", sleep(0)).record().id();
                    } catch (RunnerException e) {
                      assertThat(e.kind()).isEqualTo(ErrorKind.BUSY);
                      return null;
                    }
                  }));
    }
    go.countDown();
    List<String> accepted = new ArrayList<>();
    for (Future<String> f : tries) {
      String id = f.get();
      if (id != null) {
        accepted.add(id);
      }
    }
    pool.shutdown();
    assertThat(accepted).as("admitted across both nodes").hasSize(capacity);
    assertThat(a.queueDepth()).isEqualTo(capacity);
    assertThat(b.acceptsRuns()).isFalse();
    // A waiting run is cancelled from either node: CANCELLED, with its one receipt.
    for (String id : accepted) {
      RunRecord c = b.cancel("t", id);
      assertThat(c.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(await(b, id, x -> x.receiptJson() != null).receiptJson()).isNotNull();
    }
    assertThat(a.acceptsRuns()).isTrue();
    for (String id : longRuns) {
      assertThat(a.cancel("t", id).status()).isEqualTo(RunStatus.CANCELLED);
      await(a, id, x -> x.receiptJson() != null);
    }
    assertThat(ledgerIds()).hasSize(capacity + 2).doesNotHaveDuplicates();
  }

  @RepeatedTest(5)
  void aNotificationWakesTheIdleNodeFasterThanPolling() throws Exception {
    long notified = wakeUpMedianMs(true, "notify");
    long polled = wakeUpMedianMs(false, "poll");
    System.out.printf(
        "SharedQueueIT wake-up (accept on busy A -> start on idle B), median of 8: NOTIFY %d ms,"
            + " polling only %d ms%n",
        notified, polled);
    assertThat(notified).isLessThan(polled);
    assertThat(polled).isLessThanOrEqualTo(QueueClaims.POLL_MS + 400);
  }

  private long wakeUpMedianMs(boolean listen, String name) throws Exception {
    QueueClaims.listen = listen;
    RunService a = node(name + "-a", 1, 16);
    String busy = a.submit("t", sleep(60_000)).record().id();
    await(a, busy, r -> r.status() == RunStatus.RUNNING);
    RunService b = node(name + "-b", 1, 16);
    Thread.sleep(1_000); // B's listener is in LISTEN, its claimer idle
    List<Long> ms = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      RunRecord r = a.submit("t", sleep(0)).record();
      RunRecord done = a.await(r.id(), Duration.ofSeconds(60));
      assertThat(done.owner()).startsWith("node:" + name + "-b:");
      ms.add(Duration.between(done.createdAt(), done.startedAt()).toMillis());
      Thread.sleep(137); // no phase lock with B's poll
    }
    a.cancel("t", busy);
    b.close(); // the next round's nodes are the only ones
    a.close();
    ms.sort(null);
    System.out.printf("SharedQueueIT wake-up %s: %s ms%n", name, ms);
    return ms.get(ms.size() / 2);
  }

  private static RunRecord await(RunService s, String id, Predicate<RunRecord> done)
      throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    RunRecord last = null;
    while (System.currentTimeMillis() < end) {
      last = s.store().find(id).orElseThrow();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("run " + id + " did not reach the expected state: " + last);
  }

  private List<String> ledgerIds() {
    try (PostgresDatabase db =
            PostgresDatabase.open(dbs.url("queue"), Schema.Policy.REFUSE_PENDING, 2);
        PostgresLedgerStore ls = PostgresLedgerStore.open(db)) {
      List<String> ids = new ArrayList<>();
      for (long i = 0; i < ls.size(); i++) {
        ids.add(
            ReceiptStatement.parse(Dsse.parse(ls.entry(i)).payload()).predicate().executionId());
      }
      return ids;
    }
  }

  private static RunRequest sleep(int ms) {
    return new RunRequest(
        "sleeper", "1", "run", List.of(), Map.of("ms", ms), null, Map.of(), null, null, null, null);
  }

  private RunService node(String id, int concurrency, int capacity) throws Exception {
    if (registry == null) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      Path yaml = dir.resolve("tools.yaml");
      Files.writeString(
          yaml,
          """
          registry: 1
          tools:
            - name: sleeper
              versions:
                - version: "1"
                  runtime: node-20
                  entrypoint: [node, -e, "setTimeout(() => {}, Number(process.argv.at(-1).split('=')[1]))"]
                  verbs:
                    run:
                      params:
                        type: object
                        properties: {ms: {type: integer, minimum: 0}}
                        required: [ms]
                        additionalProperties: false
          """);
      registry = ToolRegistry.load(yaml, RuntimeProfiles.builtIn().ids());
    }
    Path state = Files.createDirectories(dir.resolve("state-" + id));
    PostgresDatabase db = PostgresDatabase.open(dbs.url("queue"), Schema.Policy.MIGRATE, 6);
    PostgresLedgerStore ledger = PostgresLedgerStore.open(db);
    ReceiptLog log = ReceiptLog.open(state, ledger);
    var key = log.keys().active().verifierKey();
    NodeRegistry nodes =
        NodeRegistry.shared(
                id,
                Duration.ofSeconds(10),
                key.keyId(),
                Base64.getEncoder().encodeToString(key.publicKey()))
            .alsoFence(ledger::fence);
    RunService s =
        RunService.open(
            new ServiceConfig(state, concurrency, capacity),
            registry,
            LimitsPolicy.builtIn(),
            new LedgerReceiptIssuer(log),
            () -> PostgresRunStore.open(db),
            nodes);
    open.add(log);
    open.add(db);
    open.add(s);
    return s;
  }
}
