package io.quackrunner.temporal.worker;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.service.Backend;
import io.quackrunner.service.JsonLog;
import io.quackrunner.service.LedgerReceiptIssuer;
import io.quackrunner.service.RunService;
import io.quackrunner.service.ServiceConfig;
import io.quackrunner.tools.ToolRegistry;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The activity worker: a {@link RunService} embedded on a state directory (recovered first, as the
 * gateway does on start) and a Temporal worker polling one task queue for the {@code QuackRunner.*}
 * activities.
 */
public final class TemporalWorker {
  private final WorkerOptions opts;
  private final ReceiptLog receiptLog;
  private final RunService service;
  private final WorkflowServiceStubs stubs;
  private final WorkerFactory factory;

  private TemporalWorker(
      WorkerOptions opts,
      ReceiptLog receiptLog,
      RunService service,
      WorkflowServiceStubs stubs,
      WorkerFactory factory) {
    this.opts = opts;
    this.receiptLog = receiptLog;
    this.service = service;
    this.stubs = stubs;
    this.factory = factory;
  }

  /**
   * Opens the state directory, recovers runs left by a dead process (RUNNING ones become
   * INTERRUPTED with their receipt), connects to Temporal and starts polling.
   *
   * @throws RunnerException of kind CONFIGURATION (bad registry or limits), ISOLATION_UNAVAILABLE
   *     (no sandbox), or UNAVAILABLE when Temporal cannot be reached within 15 s
   */
  public static TemporalWorker start(WorkerOptions o) {
    ToolRegistry registry = ToolRegistry.load(o.registry(), RuntimeProfiles.builtIn().ids());
    LimitsPolicy policy =
        o.limits() == null ? LimitsPolicy.builtIn() : LimitsPolicy.load(o.limits());
    Backend backend =
        Backend.open(o.stateDir(), o.database(), Math.max(4, o.concurrency() + 2), "temporal");
    ReceiptLog log = backend.receiptLog();
    RunService service;
    try {
      service =
          RunService.open(
              new ServiceConfig(o.stateDir(), o.concurrency(), o.concurrency()),
              registry,
              policy,
              new LedgerReceiptIssuer(log),
              backend.runStores(),
              backend.nodes());
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    WorkflowServiceStubs stubs = null;
    try {
      service.recover();
      stubs = connect(o.target(), Duration.ofSeconds(15));
      WorkflowClientOptions.Builder cb =
          WorkflowClientOptions.newBuilder().setNamespace(o.namespace());
      if (o.identity() != null) {
        cb.setIdentity(o.identity());
      }
      WorkerFactory factory =
          WorkerFactory.newInstance(WorkflowClient.newInstance(stubs, cb.build()));
      Worker worker =
          factory.newWorker(
              o.taskQueue(),
              io.temporal.worker.WorkerOptions.newBuilder()
                  .setMaxConcurrentActivityExecutionSize(o.concurrency())
                  .build());
      worker.registerActivitiesImplementations(new RunActivities(service, o.tenant(), stubs));
      factory.start();
      JsonLog.info(
          "temporal.worker_started",
          "target",
          o.target(),
          "namespace",
          o.namespace(),
          "task_queue",
          o.taskQueue(),
          "state_dir",
          o.stateDir().toString(),
          "concurrency",
          o.concurrency());
      return new TemporalWorker(o, log, service, stubs, factory);
    } catch (RuntimeException e) {
      if (stubs != null) {
        stubs.shutdownNow();
      }
      service.close();
      log.close();
      throw e;
    }
  }

  /**
   * Returns stubs of the Temporal frontend at {@code target} once it answers {@code GetSystemInfo}.
   *
   * @throws RunnerException of kind UNAVAILABLE when it does not answer within {@code max}
   */
  static WorkflowServiceStubs connect(String target, Duration max) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    long end = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        stubs
            .blockingStub()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        return stubs;
      } catch (RuntimeException e) {
        if (System.nanoTime() > end) {
          stubs.shutdownNow();
          throw new RunnerException(
              ErrorKind.UNAVAILABLE, "cannot reach Temporal at " + target + ": " + e.getMessage());
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        stubs.shutdownNow();
        throw new RunnerException(ErrorKind.UNAVAILABLE, "interrupted connecting to " + target);
      }
    }
  }

  /** Returns the engine behind the activities. */
  public RunService service() {
    return service;
  }

  /**
   * Stops polling and lets running activities finish within the drain bound; then closes the
   * engine. Activities still running after the bound are left as they are: the process is about to
   * exit, and the next worker's recovery marks their runs INTERRUPTED with a receipt.
   *
   * @return true when every activity finished within the bound
   */
  public boolean shutdown() {
    JsonLog.info("temporal.worker_stopping", "drain_ms", opts.drain().toMillis());
    factory.shutdown();
    factory.awaitTermination(opts.drain().toMillis(), TimeUnit.MILLISECONDS);
    boolean drained = factory.isTerminated();
    if (!drained) {
      JsonLog.warn(
          "temporal.worker_left_runs",
          "running",
          service.running(),
          "detail",
          "left to the next worker's recovery (INTERRUPTED with a receipt)");
      return false;
    }
    stubs.shutdown();
    service.close();
    receiptLog.close();
    JsonLog.info("temporal.worker_stopped");
    return true;
  }
}
