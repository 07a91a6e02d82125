package io.quackrunner.temporal.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.logs.LogStream;
import io.quackrunner.server.RunDocuments;
import io.quackrunner.service.JsonLog;
import io.quackrunner.service.LogFollower;
import io.quackrunner.service.RunService;
import io.quackrunner.service.Submission;
import io.quackrunner.store.RunRecord;
import io.quackrunner.temporal.api.Progress;
import io.quackrunner.temporal.api.QuackRunnerActivities;
import io.quackrunner.temporal.api.RunRequest;
import io.quackrunner.temporal.api.RunResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityWorkerShutdownException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The QuackRunner activities over {@link RunService}: a thin translation of Temporal's activity
 * calls to the same submit / await / cancel path the HTTP API uses, with the trigger derived from
 * the activity's identity ({@link Triggers}).
 */
public final class RunActivities implements QuackRunnerActivities {
  /** How often a waiting attempt heartbeats; the SDK throttles what it sends to the server. */
  static final long HEARTBEAT_EVERY_MS = 500;

  /** The largest inline input, bytes (the gateway's default; Temporal's payload limit is lower). */
  static final long MAX_INLINE_BYTES = 64L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final RunService service;
  private final String tenant;
  private final CancelRequests cancels;

  /**
   * Creates the activities.
   *
   * @param service the engine, opened on the worker's state directory
   * @param tenant the tenant Temporal-started runs belong to
   * @param stubs the worker's connection to Temporal, asked whether a cancellation is the
   *     workflow's request or only a lost attempt
   */
  public RunActivities(RunService service, String tenant, WorkflowServiceStubs stubs) {
    this.service = service;
    this.tenant = tenant;
    this.cancels = new CancelRequests(stubs);
  }

  @Override
  public RunResult run(RunRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    ActivityInfo info = ctx.getInfo();
    long t0 = System.nanoTime();
    Submission s;
    try {
      if (request == null) {
        throw new RunnerException(ErrorKind.USAGE, "the RunRequest is missing");
      }
      if (request.idempotencyKey() != null) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION,
            "idempotency_key must not be set: the worker derives it from the workflow execution"
                + " and activity id");
      }
      if (request.callback() != null) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION,
            "callback must not be set: the activity's result carries the receipt");
      }
      // Strict, as POST /runs: members the payload type did not know are refused here by name.
      io.quackrunner.service.RunRequest parsed =
          RunDocuments.request(JSON.valueToTree(request), service.content(), MAX_INLINE_BYTES);
      String key =
          parsed.trigger() != null
              ? null // a signed trigger is the run's trigger: one link, one execution
              : Triggers.key(
                  info.getNamespace(), info.getWorkflowId(), info.getRunId(), info.getActivityId());
      s =
          service.submit(
              tenant,
              withKey(parsed, key)
                  .withOrigin(
                      new io.quackrunner.service.RunOrigin(
                          "temporal", info.getWorkflowType(), null)));
    } catch (RunnerException e) {
      throw Failures.rejected(e);
    }
    String id = s.record().id();
    JsonLog.info(
        "temporal.run",
        "run_id",
        id,
        "workflow_id",
        info.getWorkflowId(),
        "activity_id",
        info.getActivityId(),
        "attempt",
        info.getAttempt(),
        "created",
        s.created());
    OutputCounter output = new OutputCounter();
    boolean live = service.follow(id, output);
    RunRecord r;
    try {
      r = awaitEnd(ctx, id, s.created(), output, t0);
    } finally {
      if (live) {
        service.unfollow(id, output);
      }
    }
    RunResult result = result(r);
    if (r.status() == RunStatus.SUCCEEDED) {
      return result;
    }
    throw Failures.ofRun(r, result);
  }

  @Override
  public RunResult get(String runId) {
    try {
      return result(service.get(tenant, runId));
    } catch (RunnerException e) {
      throw Failures.rejected(e);
    }
  }

  @Override
  public String receipt(String runId) {
    try {
      RunRecord r = service.get(tenant, runId);
      if (r.receiptJson() == null) {
        throw new RunnerException(ErrorKind.NOT_FOUND, "run " + runId + " has no receipt yet");
      }
      return r.receiptJson();
    } catch (RunnerException e) {
      throw Failures.rejected(e);
    }
  }

  /** Converts a run record to the RunResult payload through the gateway's own document. */
  static RunResult result(RunRecord r) {
    return JSON.convertValue(RunDocuments.result(r), RunResult.class);
  }

  private static io.quackrunner.service.RunRequest withKey(
      io.quackrunner.service.RunRequest r, String key) {
    return new io.quackrunner.service.RunRequest(
        r.tool(),
        r.version(),
        r.verb(),
        r.inputs(),
        r.params(),
        r.limits(),
        r.env(),
        key,
        r.trigger(),
        r.secrets());
  }

  /**
   * Waits for the run to end, heartbeating progress; a cancellation delivered through the heartbeat
   * cancels the run (the sandbox is killed, the run ends CANCELLED with its receipt) and is then
   * reported to Temporal.
   *
   * <p>The first heartbeat goes out at once, before any wait: the server's heartbeat clock has run
   * since the attempt started, through payload conversion and the submit, which on a loaded machine
   * can take seconds; it also records the run id where the next attempt can see it.
   */
  private RunRecord awaitEnd(
      ActivityExecutionContext ctx, String id, boolean created, OutputCounter output, long t0) {
    CompletableFuture<RunRecord> done = service.completion(id);
    boolean heartbeat = heartbeat(ctx, id, created, output, t0);
    while (true) {
      try {
        return done.get(HEARTBEAT_EVERY_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // still running: heartbeat below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Failures.rejected(
            new RunnerException(ErrorKind.UNAVAILABLE, "the worker is stopping"));
      } catch (ExecutionException e) {
        throw Failures.rejected(
            new RunnerException(ErrorKind.INTERNAL, "waiting for run " + id + ": " + e.getCause()));
      }
      if (heartbeat) {
        heartbeat = heartbeat(ctx, id, created, output, t0);
      }
    }
  }

  /**
   * Sends one heartbeat (the SDK throttles what reaches the server).
   *
   * @return false once the worker drains (keep waiting without heartbeats, so the result is still
   *     reported)
   * @throws ActivityCompletionException when the attempt is cancelled or gone; the run is cancelled
   *     first only when the workflow asked for it
   */
  private boolean heartbeat(
      ActivityExecutionContext ctx, String id, boolean created, OutputCounter output, long t0) {
    RunRecord now = service.store().find(id).orElseThrow();
    String phase = created ? now.status().name() : "AWAITING";
    long elapsed = (System.nanoTime() - t0) / 1_000_000;
    try {
      ctx.heartbeat(new Progress(id, phase, output.bytes(), elapsed));
      return true;
    } catch (ActivityCanceledException c) {
      // The SDK says "cancelled" both for a workflow's request and for an attempt that timed out
      // while its successor awaits this run: only the former may kill the run.
      if (cancels.requested(ctx.getInfo())) {
        cancel(id);
      } else {
        JsonLog.info("temporal.attempt_gone", "run_id", id, "detail", "attempt timed out");
      }
      throw c;
    } catch (ActivityWorkerShutdownException stopping) {
      return false;
    } catch (ActivityCompletionException gone) {
      // This attempt timed out at the server: the run goes on here, and the next attempt
      // (on any worker sharing the state directory) finds its trigger and awaits it.
      JsonLog.info("temporal.attempt_gone", "run_id", id, "detail", String.valueOf(gone));
      throw gone;
    }
  }

  private void cancel(String id) {
    try {
      RunRecord r = service.cancel(tenant, id);
      JsonLog.info("temporal.cancelled", "run_id", id, "status", r.status().name());
    } catch (RunnerException e) {
      // Already ended, or executing in another worker process: nothing to kill from here.
      JsonLog.warn("temporal.cancel_failed", "run_id", id, "detail", e.getMessage());
    }
  }

  /** Counts the bytes a live run writes to stdout and stderr. */
  private static final class OutputCounter implements LogFollower {
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public void chunk(LogStream stream, long offset, byte[] data) {
      bytes.addAndGet(data.length);
    }

    @Override
    public void end() {}

    long bytes() {
      return bytes.get();
    }
  }
}
