package io.quackrunner.temporal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.execution.RunStatus;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.service.LedgerReceiptIssuer;
import io.quackrunner.service.RunService;
import io.quackrunner.service.ServiceConfig;
import io.quackrunner.store.RunRecord;
import io.quackrunner.temporal.api.FailureTypes;
import io.quackrunner.temporal.api.Progress;
import io.quackrunner.temporal.api.RunRequest;
import io.quackrunner.temporal.api.RunResult;
import io.quackrunner.tools.ToolRegistry;
import io.quackrunner.triggers.TriggerPayload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The activity on real sandboxes under temporal-testing's in-process server (real time, no time
 * skipping), with a real workflow: success, tool failure, retries, cancellation, heartbeats.
 */
class InProcessWorkerIT {
  private static final String QUEUE = "quackrunner-it";
  private Path state;
  private ReceiptLog log;
  private RunService service;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void start() throws Exception {
    state = StateDirs.create();
    log = ReceiptLog.open(state);
    service =
        RunService.open(
            new ServiceConfig(state, 2, 2),
            ToolRegistry.load(StateDirs.REGISTRY, RuntimeProfiles.builtIn().ids()),
            LimitsPolicy.builtIn(),
            new LedgerReceiptIssuer(log));
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(ToolWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new RunActivities(service, "temporal", env.getWorkflowServiceStubs()));
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
    service.close();
    log.close();
  }

  private static RunRequest sh(String script) {
    return RunRequest.of("sh", "1", "run").withParam("script", script);
  }

  private WorkflowStub stub(String id) {
    return client.newUntypedWorkflowStub(
        "ToolWorkflow",
        WorkflowOptions.newBuilder()
            .setTaskQueue(QUEUE)
            .setWorkflowId(id)
            .setWorkflowExecutionTimeout(Duration.ofMinutes(3))
            .build());
  }

  private ToolWorkflow.Outcome execute(String id, ToolWorkflow.Plan plan) {
    WorkflowStub s = stub(id);
    s.start(plan);
    try {
      return s.getResult(150, TimeUnit.SECONDS, ToolWorkflow.Outcome.class);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("workflow " + id + " did not end", e);
    }
  }

  @Test
  void succeededRunReturnsItsResultWithArtifactReferences() throws Exception {
    ToolWorkflow.Outcome o =
        execute(
            "ok-" + UUID.randomUUID(),
            new ToolWorkflow.Plan(
                sh("echo hello; printf 42 > out/answer.txt").withInput("in.txt", "x".getBytes()),
                60,
                10,
                3));
    assertThat(o.failureType()).isNull();
    RunResult r = o.result();
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(r.exitCode()).isZero();
    assertThat(r.artifacts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.path()).isEqualTo("answer.txt");
              assertThat(a.size()).isEqualTo(2);
              assertThat(a.sha256())
                  .isEqualTo("73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049");
              assertThat(a.href()).isEqualTo("/runs/" + r.id() + "/artifacts/answer.txt");
            });
    assertThat(r.receipt()).isNotNull();
    assertThat(r.logs().stdout().size()).isEqualTo(6);
    assertThat(Files.readString(state.resolve("runs/" + r.id() + "/out/answer.txt")))
        .isEqualTo("42");
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  @Test
  void failingToolIsANonRetryableFailureOfItsStatusCarryingTheReceipt() {
    ToolWorkflow.Outcome o =
        execute(
            "fail-" + UUID.randomUUID(),
            new ToolWorkflow.Plan(sh("echo boom >&2; exit 3"), 60, 10, 5));
    assertThat(o.failureType()).isEqualTo(FailureTypes.FAILED);
    assertThat(o.nonRetryable()).isTrue();
    assertThat(o.result().status()).isEqualTo("FAILED");
    assertThat(o.result().exitCode()).isEqualTo(3);
    assertThat(o.result().receipt()).isNotNull();
    assertThat(o.result().receipt().ledgerIndex()).isZero();
    assertThat(o.result().error().kind()).isEqualTo("execution-failed");
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  @Test
  void timedOutToolFailsWithTypeTimedOut() {
    ToolWorkflow.Outcome o =
        execute(
            "slow-" + UUID.randomUUID(),
            new ToolWorkflow.Plan(sh("sleep 30").withLimit("wall_time_ms", 1000), 60, 10, 5));
    assertThat(o.failureType()).isEqualTo(FailureTypes.TIMED_OUT);
    assertThat(o.result().status()).isEqualTo("TIMED_OUT");
    assertThat(o.result().receipt()).isNotNull();
    assertThat(StateDirs.runs(state)).isEqualTo(1);
  }

  @Test
  void badRequestsAreNonRetryableProblemsOfTheirKind() {
    assertRefused(RunRequest.of("no-such-tool", "1", "run"), FailureTypes.UNKNOWN_TOOL);
    assertRefused(
        new RunRequest(
            "sh", "1", "run", null, null, null, null, "mine", null, null, null, null, null),
        FailureTypes.SCHEMA_VIOLATION);
    assertRefused(sh("true").withParam("nope", 1), FailureTypes.SCHEMA_VIOLATION);
    // A member the payload type does not know (e.g. from a newer client) is refused by name, never
    // dropped: the run would otherwise be something other than what was asked.
    assertRefused(
        new RunRequest(
            "sh",
            "1",
            "run",
            null,
            Map.of("script", "true"),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Map.of("origin", Map.of("front_end", "x"))),
        FailureTypes.UNKNOWN_FIELD);
    // secrets and trigger reach the engine: an undeclared secret and a trigger the tenant's (empty)
    // policy refuses are refused there, so neither was dropped on the way.
    assertRefused(sh("true").withSecrets(List.of("NOT_DECLARED")), FailureTypes.USAGE);
    assertRefused(
        sh("true")
            .withTrigger(
                Map.of(
                    "envelope",
                    Map.of(
                        "payloadType",
                        TriggerPayload.PAYLOAD_TYPE,
                        "payload",
                        "e30=",
                        "signatures",
                        List.of(Map.of("keyid", "k", "sig", "AAAA"))))),
        FailureTypes.INVALID_TRIGGER_PROBLEM);
    assertThat(service.store().byStatus(RunStatus.SUCCEEDED)).isEmpty();
    assertThat(StateDirs.verifiedLedgerSize(state)).isZero();
  }

  private void assertRefused(RunRequest request, String type) {
    String id = "bad-" + UUID.randomUUID();
    ToolWorkflow.Outcome o = execute(id, new ToolWorkflow.Plan(request, 60, 10, 5));
    assertThat(o.failureType()).as(type).isEqualTo(type);
    assertThat(o.nonRetryable()).isTrue();
    assertThat(lastAttempt(id)).as("a bad request is not retried").isEqualTo(1);
  }

  @Test
  void fiveAttemptsOfAnActivityThatTimesOutExecuteTheToolOnce() {
    // start-to-close 3 s, the run takes 5 s: attempt 1 times out, a later attempt finds the run's
    // trigger and returns its result. The tool ran once.
    String id = "retry-" + UUID.randomUUID();
    ToolWorkflow.Outcome o = execute(id, new ToolWorkflow.Plan(sh("echo once; sleep 5"), 3, 10, 5));
    assertThat(o.failureType()).isNull();
    assertThat(o.result().status()).isEqualTo("SUCCEEDED");
    assertThat(lastAttempt(id)).isGreaterThan(1);
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  @Test
  void heartbeatTimeoutShorterThanTheRunStillExecutesOnce() {
    String id = "hb-" + UUID.randomUUID();
    // The invariant is one execution, whatever the attempts: under load a heartbeat may come late
    // and the attempt be retried; the retry awaits the same run.
    ToolWorkflow.Outcome o =
        execute(id, new ToolWorkflow.Plan(sh("echo once; sleep 6"), 60, 2, 20));
    assertThat(o.result().status()).isEqualTo("SUCCEEDED");
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  @Test
  void aRunningAttemptHeartbeatsItsProgress() throws Exception {
    String id = "progress-" + UUID.randomUUID();
    WorkflowStub s = stub(id);
    // Heartbeat timeout 5 s: the SDK sends at most one heartbeat per ~4 s (0.8 x the timeout), so
    // the run lasts long enough for one sent after "started" was written.
    s.start(new ToolWorkflow.Plan(sh("echo started; sleep 10"), 120, 5, 5));
    RunRecord running = awaitRunning();
    Progress seen = null;
    for (int i = 0; i < 600 && (seen == null || seen.outputBytes() < 8); i++) {
      var pending =
          env.getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(env.getNamespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                      .build())
              .getPendingActivitiesList();
      if (!pending.isEmpty() && pending.get(0).hasHeartbeatDetails()) {
        seen =
            DefaultDataConverter.STANDARD_INSTANCE.fromPayloads(
                0,
                Optional.of(pending.get(0).getHeartbeatDetails()),
                Progress.class,
                Progress.class);
      }
      Thread.sleep(100);
    }
    assertThat(seen).as("a heartbeat with the run's output").isNotNull();
    assertThat(seen.runId()).isEqualTo(running.id());
    assertThat(seen.phase()).isEqualTo("RUNNING");
    assertThat(seen.outputBytes()).isEqualTo(8); // "started\n"
    assertThat(seen.elapsedMs()).isPositive();
    assertThat(s.getResult(120, TimeUnit.SECONDS, ToolWorkflow.Outcome.class).result().status())
        .isEqualTo("SUCCEEDED");
  }

  @Test
  void cancellingTheWorkflowMidRunKillsTheSandboxAndIssuesACancelledReceipt() throws Exception {
    WorkflowStub s = stub("cancel-" + UUID.randomUUID());
    s.start(new ToolWorkflow.Plan(sh("echo started; sleep 60"), 120, 2, 5));
    RunRecord running = awaitRunning();
    long t0 = System.nanoTime();
    s.cancel();
    assertThatThrownBy(() -> s.getResult(60, TimeUnit.SECONDS, ToolWorkflow.Outcome.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOfAny(CanceledFailure.class, ActivityFailure.class);
    RunRecord r = service.store().find(running.id()).orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.receiptJson()).isNotNull();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(StateDirs.runs(state)).isEqualTo(1);
    assertThat(StateDirs.verifiedLedgerSize(state)).isEqualTo(1);
  }

  private RunRecord awaitRunning() throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      List<RunRecord> r = service.store().byStatus(RunStatus.RUNNING);
      if (!r.isEmpty()
          && Files.exists(state.resolve("runs/" + r.get(0).id() + "/out/reports/stdout.log"))
          && readQuietly(state.resolve("runs/" + r.get(0).id() + "/out/reports/stdout.log"))
              .contains("started")) {
        return r.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no run started");
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private int lastAttempt(String workflowId) {
    int attempt = 0;
    for (HistoryEvent e : client.fetchHistory(workflowId).getHistory().getEventsList()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        attempt = Math.max(attempt, e.getActivityTaskStartedEventAttributes().getAttempt());
      }
    }
    return attempt;
  }
}
