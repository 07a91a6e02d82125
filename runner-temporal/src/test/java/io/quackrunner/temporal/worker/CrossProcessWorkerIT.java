package io.quackrunner.temporal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.execution.RunStatus;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.temporal.api.FailureTypes;
import io.quackrunner.temporal.api.RunRequest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker as separate OS processes ({@code bin/runner temporal-worker}) against the standalone
 * Temporal test server, with the workflow worker and client in this JVM: a worker killed mid-run, a
 * worker stopped with SIGTERM mid-run, a worker frozen past its heartbeat timeout, two workers on
 * one queue and one state directory.
 */
class CrossProcessWorkerIT {
  private static Process server;
  private static int port;
  private static Path plugins;
  private static WorkflowServiceStubs stubs;
  private static WorkflowClient client;
  private final List<Process> workers = new ArrayList<>();
  private WorkerFactory factory;
  private String queue;

  @BeforeAll
  static void startServer() throws Exception {
    port = Processes.freePort();
    Path log = Files.createTempFile("qr-temporal-server-", ".log");
    server = Processes.testServer(port, log);
    Processes.awaitListening(port, Duration.ofSeconds(60));
    stubs = TemporalWorker.connect("127.0.0.1:" + port, Duration.ofSeconds(60));
    client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    plugins = Processes.pluginDir();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    server.destroyForcibly();
    server.waitFor(30, TimeUnit.SECONDS);
  }

  /** Polls the workflow tasks of a fresh queue in this JVM; the activities run in the workers. */
  private void workflows() {
    queue = "q-" + UUID.randomUUID();
    factory = WorkerFactory.newInstance(client);
    factory.newWorker(queue).registerWorkflowImplementationTypes(ToolWorkflowImpl.class);
    factory.start();
  }

  @AfterEach
  void stopWorkers() throws Exception {
    for (Process p : workers) {
      p.destroy(); // SIGTERM to all first: they drain at the same time
    }
    for (Process p : workers) {
      if (p.isAlive()) {
        Processes.terminate(p);
      }
    }
    if (factory != null) {
      factory.shutdownNow();
    }
  }

  private Process worker(Path state, String identity) throws Exception {
    Process p = Processes.worker(plugins, port, queue, state, identity);
    synchronized (workers) {
      workers.add(p);
    }
    return p;
  }

  /** Starts workers at once (a JVM start takes long on a loaded machine) and waits for all. */
  private List<Process> workers(Path state, String... identities) throws Exception {
    List<CompletableFuture<Process>> started = new ArrayList<>();
    for (String id : identities) {
      started.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return worker(state, id);
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              }));
    }
    List<Process> out = new ArrayList<>();
    for (CompletableFuture<Process> f : started) {
      out.add(f.get(180, TimeUnit.SECONDS));
    }
    return out;
  }

  private WorkflowStub start(String id, ToolWorkflow.Plan plan) {
    WorkflowStub s =
        client.newUntypedWorkflowStub(
            "ToolWorkflow",
            WorkflowOptions.newBuilder()
                .setTaskQueue(queue)
                .setWorkflowId(id)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
                .build());
    s.start(plan);
    return s;
  }

  private static RunRecord awaitRunning(Path state, String marker) throws Exception {
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      for (int i = 0; i < 1200; i++) {
        for (RunRecord r : store.byStatus(RunStatus.RUNNING)) {
          Path out = state.resolve("runs/" + r.id() + "/out/reports/stdout.log");
          if (Files.exists(out) && Files.readString(out).contains(marker)) {
            return r;
          }
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("no run started");
  }

  @Test
  void workerKilledMidRunYieldsTheInterruptedResultAndOneReceipt() throws Exception {
    workflows();
    Path state = StateDirs.create();
    Process first = worker(state, "first");
    WorkflowStub wf =
        start(
            "kill-" + UUID.randomUUID(),
            new ToolWorkflow.Plan(
                RunRequest.of("sh", "1", "run").withParam("script", "echo started; sleep 30"),
                120,
                // Generous: a cold worker JVM on a loaded machine may take seconds to its first
                // heartbeat, and each lost attempt costs one of the policy's attempts.
                10,
                20));
    RunRecord running = awaitRunning(state, "started");
    Processes.kill9(first);
    worker(state, "second");
    ToolWorkflow.Outcome o = wf.getResult(120, TimeUnit.SECONDS, ToolWorkflow.Outcome.class);
    assertThat(o.failureType()).isEqualTo(FailureTypes.INTERRUPTED);
    assertThat(o.nonRetryable()).isTrue();
    assertThat(o.result().id()).isEqualTo(running.id());
    assertThat(o.result().status()).isEqualTo("INTERRUPTED");
    assertThat(o.result().receipt()).isNotNull();
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
    assertThat(Files.readString(state.resolve("runs/" + running.id() + "/out/reports/stdout.log")))
        .isEqualTo("started\n");
  }

  @Test
  void sigtermLetsTheRunningActivityFinishAndReportsItsResult() throws Exception {
    workflows();
    Path state = StateDirs.create();
    Process w = worker(state, "draining");
    WorkflowStub wf =
        start(
            "term-" + UUID.randomUUID(),
            new ToolWorkflow.Plan(
                RunRequest.of("sh", "1", "run").withParam("script", "echo started; sleep 3"),
                120,
                10,
                5));
    RunRecord running = awaitRunning(state, "started");
    // 143 = 128 + SIGTERM: the status of a JVM stopped by the signal, after its shutdown hook
    // drained.
    assertThat(Processes.terminate(w)).as("exit status after SIGTERM").isEqualTo(143);
    assertThat(Files.readString(state.resolve("worker-draining.log")))
        .contains("\"event\":\"temporal.worker_stopped\"")
        .doesNotContain("temporal.worker_left_runs");
    ToolWorkflow.Outcome o = wf.getResult(120, TimeUnit.SECONDS, ToolWorkflow.Outcome.class);
    assertThat(o.failureType()).isNull();
    assertThat(o.result().id()).isEqualTo(running.id());
    assertThat(o.result().status()).isEqualTo("SUCCEEDED");
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  @Test
  void workerFrozenPastItsHeartbeatTimeoutDoesNotCauseASecondExecution() throws Exception {
    workflows();
    Path state = StateDirs.create();
    List<Process> ab = workers(state, "a", "b");
    Process a = ab.get(0);
    Process b = ab.get(1);
    String id = "frozen-" + UUID.randomUUID();
    WorkflowStub wf =
        start(
            id,
            new ToolWorkflow.Plan(
                RunRequest.of("sh", "1", "run").withParam("script", "echo started; sleep 8"),
                120,
                2,
                20)); // many attempts: under load a cold worker may lose some before the freeze
    RunRecord running = awaitRunning(state, "started");
    long ownerPid = Long.parseLong(running.owner().substring(0, running.owner().indexOf(':')));
    Process owner = Processes.workerJvm(a).pid() == ownerPid ? a : b;
    assertThat(Processes.workerJvm(owner).pid()).isEqualTo(ownerPid);
    Processes.signal(ownerPid, "STOP");
    try {
      Thread.sleep(6000); // past the 2 s heartbeat timeout: the retry goes to the other worker
    } finally {
      Processes.signal(ownerPid, "CONT");
    }
    ToolWorkflow.Outcome o = wf.getResult(120, TimeUnit.SECONDS, ToolWorkflow.Outcome.class);
    assertThat(o.failureType()).isNull();
    assertThat(o.result().id()).isEqualTo(running.id());
    assertThat(o.result().status()).isEqualTo("SUCCEEDED");
    assertThat(lastAttempt(id)).isGreaterThan(1);
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  @Test
  void twoWorkersOnOneQueueAndStateDirExecuteFiftyActivitiesOnceEach() throws Exception {
    workflows();
    Path state = StateDirs.create();
    workers(state, "one", "two");
    List<WorkflowStub> started = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      started.add(
          start(
              "fifty-" + i + "-" + UUID.randomUUID(),
              new ToolWorkflow.Plan(
                  RunRequest.of("sh", "1", "run").withParam("script", "echo $N").withParam("n", i),
                  60,
                  10,
                  20)));
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ToolWorkflow.Outcome o =
          started.get(i).getResult(240, TimeUnit.SECONDS, ToolWorkflow.Outcome.class);
      assertThat(o.failureType()).isNull();
      assertThat(o.result().status()).isEqualTo("SUCCEEDED");
      assertThat(
              Files.readString(
                  state.resolve("runs/" + o.result().id() + "/out/reports/stdout.log")))
          .isEqualTo(i + "\n");
      ids.add(o.result().id());
    }
    assertThat(ids).hasSize(50);
    assertThat(StateDirs.runs(state)).isEqualTo(50);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(50);
    Set<String> owners = new HashSet<>();
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      for (String id : ids) {
        Optional<RunRecord> r = store.find(id);
        owners.add(r.orElseThrow().owner());
      }
    }
    System.out.println("runs per worker process: " + owners.size() + " processes executed runs");
  }

  private static int lastAttempt(String workflowId) {
    int attempt = 0;
    for (HistoryEvent e : client.fetchHistory(workflowId).getHistory().getEventsList()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        attempt = Math.max(attempt, e.getActivityTaskStartedEventAttributes().getAttempt());
      }
    }
    return attempt;
  }
}
