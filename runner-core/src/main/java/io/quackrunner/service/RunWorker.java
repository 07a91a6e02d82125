package io.quackrunner.service;

import io.quackrunner.artifacts.ArtifactViolation;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunControl;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.logs.LogListener;
import io.quackrunner.store.Completion;
import io.quackrunner.store.ContentStore;
import io.quackrunner.store.RunStore;
import io.quackrunner.tools.OutputRules;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Executes a claimed run: marks it RUNNING (a run cancelled while queued is skipped), executes it
 * in the sandbox under a {@link RunControl} that {@link RunService#cancel} can reach, turns the
 * result into the run's {@link Completion} and ends it through the {@link RunFinisher}.
 *
 * <p>A registered tool's run is planned again from its stored request as it starts, on a worker
 * thread of the {@link RunQueue}; a raw command ({@link CommandTool}) is executed as its caller
 * prepared it, on the caller's thread.
 */
final class RunWorker {
  private final RunStore store;
  private final Executor executor;
  private final RunPlanner planner;
  private final ToolRegistry registry;
  private final ContentStore cas;
  private final RunLogs logs;
  private final RunQueue queue;
  private final RunFinisher finisher;
  private final Map<String, RunControl> controls;
  private final Supplier<RunEvents> events;
  private final Function<String, Path> runDir;

  /**
   * Creates the worker of one service.
   *
   * @param controls the controls of the runs executing in this process, by run id
   * @param runDir a run's directory ({@code <state>/runs/<id>}) by run id
   */
  RunWorker(
      RunStore store,
      Executor executor,
      RunPlanner planner,
      ToolRegistry registry,
      ContentStore cas,
      RunLogs logs,
      RunQueue queue,
      RunFinisher finisher,
      Map<String, RunControl> controls,
      Supplier<RunEvents> events,
      Function<String, Path> runDir) {
    this.store = store;
    this.executor = executor;
    this.planner = planner;
    this.registry = registry;
    this.cas = cas;
    this.logs = logs;
    this.queue = queue;
    this.finisher = finisher;
    this.controls = controls;
    this.events = events;
    this.runDir = runDir;
  }

  /** Hands a QUEUED run of a registered tool to a worker thread. */
  void enqueue(String id, boolean admitted) {
    logs.open(id);
    queue.execute(() -> runQueued(id), admitted);
  }

  /** Executes a QUEUED run of a registered tool; the body of a worker thread's task. */
  private void runQueued(String id) {
    RunControl control = new RunControl();
    controls.put(id, control);
    boolean started = false;
    try {
      // A start whose commit was made but whose answer was lost to an outage is refused on the
      // retry; only this process marks its QUEUED run RUNNING, so a RUNNING record is that start.
      if (!StoreRetry.untilAvailable(
          "start",
          id,
          () ->
              store.markRunning(id, Instant.now())
                  || store.find(id).map(x -> x.status() == RunStatus.RUNNING).orElse(false))) {
        return; // cancelled while queued
      }
      started = true;
      queue.started();
      JsonLog.info("run.started", "run_id", id);
      var r = store.find(id).orElseThrow();
      ExecutionResult result = null;
      Completion c;
      try {
        // Secrets are read again here, as the run starts: a value changed since submission is
        // used, and the value read now is the one this run keeps to its end.
        RunPlanner.Plan plan = planner.plan(r.tenant(), RunPlanner.parseStored(r.requestJson()));
        if (!plan.canonicalJson().equals(r.requestJson())) {
          throw new RunnerException(
              ErrorKind.CONFIGURATION,
              "the registry entry of " + plan.tool().id() + " changed after the run was queued");
        }
        Path dir = runDir.apply(id);
        Path in = Inputs.materialize(dir, plan, cas);
        long t0 = System.nanoTime();
        result =
            executor.execute(
                executor.prepare(
                    new ExecRequest(
                        id,
                        plan.argv(),
                        plan.tool().version().runtime(),
                        in,
                        dir.resolve("out"),
                        plan.env(),
                        plan.limits(),
                        plan.secrets(),
                        plan.egress())),
                logs.listener(id),
                control);
        long totalMs = (System.nanoTime() - t0) / 1_000_000;
        long overhead = Math.max(0, totalMs - result.wallTimeMs());
        events.get().executed(result.wallTimeMs(), overhead);
        Inputs.discard(in);
        c = checked(plan, result, overhead);
      } catch (RunnerException e) {
        boolean cancelled = control.cancelled();
        c =
            new Completion(
                cancelled ? RunStatus.CANCELLED : RunStatus.FAILED,
                Instant.now(),
                null,
                null,
                cancelled
                    ? null
                    : e.kind() == ErrorKind.USAGE ? ErrorKind.EXECUTION_FAILED : e.kind(),
                cancelled ? null : e.getMessage(),
                null);
      }
      finisher.finish(id, c, result);
    } catch (io.quackrunner.store.NodeFenced e) {
      // Declared dead: a live node interrupted this run (or will); nothing more is written here.
      JsonLog.warn("run.fenced", "run_id", id, "detail", e.getMessage());
    } catch (RuntimeException e) {
      JsonLog.warn("run.internal_error", "run_id", id, "detail", String.valueOf(e));
      finisher.finish(
          id,
          new Completion(
              RunStatus.FAILED,
              Instant.now(),
              null,
              null,
              ErrorKind.INTERNAL,
              "internal error",
              null),
          null);
    } finally {
      controls.remove(id);
      queue.done(started);
    }
  }

  /**
   * Executes a claimed raw command on the calling thread, streaming its output to {@code listener},
   * and ends it with its receipt. A command the sandbox cannot run ends FAILED with the error's
   * kind and receipt, and the error is thrown.
   *
   * @throws RunnerException from the executor (USAGE for an out directory that is not empty,
   *     EXECUTION_FAILED when the sandbox cannot run) or of kind RECEIPT_COMMIT_FAILED
   */
  ExecutionResult runCommand(Executor.Prepared p, LogListener listener) {
    String id = p.executionId();
    RunControl control = new RunControl();
    controls.put(id, control);
    try {
      if (!store.markRunning(id, Instant.now())) {
        throw new RunnerException(ErrorKind.INTERNAL, "run " + id + " left QUEUED under us");
      }
      JsonLog.info("run.started", "run_id", id);
      ExecutionResult r;
      try {
        r = executor.execute(p, listener, control);
      } catch (RunnerException e) {
        finisher.finishOrThrow(
            id,
            new Completion(
                RunStatus.FAILED, Instant.now(), null, null, e.kind(), e.getMessage(), null),
            null);
        throw e;
      }
      finisher.finishOrThrow(
          id,
          new Completion(
              r.status(),
              r.finishedAt(),
              r.exitCode(),
              r.signal(),
              r.errorKind(),
              r.failureReason(),
              null),
          r);
      return r;
    } finally {
      controls.remove(id);
    }
  }

  private Completion checked(RunPlanner.Plan plan, ExecutionResult result, long overheadMs) {
    RunStatus status = result.status();
    ErrorKind kind = result.errorKind();
    String detail = result.failureReason();
    List<ArtifactViolation> violations = new ArrayList<>(result.violations());
    if (status == RunStatus.SUCCEEDED) {
      List<ArtifactViolation> v =
          OutputRules.check(registry, plan.tool(), result.artifacts(), result.outDir());
      if (!v.isEmpty()) {
        status = RunStatus.FAILED;
        kind = ErrorKind.ARTIFACT_VIOLATION;
        detail = v.get(0).path() + ": " + v.get(0).detail();
        violations.addAll(v);
      }
    }
    RunDetails d = Results.details(plan, result, violations, overheadMs);
    return new Completion(
        status, Instant.now(), result.exitCode(), result.signal(), kind, detail, Results.json(d));
  }
}
