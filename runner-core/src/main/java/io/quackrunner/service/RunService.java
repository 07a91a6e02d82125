package io.quackrunner.service;

import io.quackrunner.artifacts.ArtifactViolation;
import io.quackrunner.callbacks.CallbackDispatcher;
import io.quackrunner.callbacks.CallbackPolicy;
import io.quackrunner.callbacks.CallbackTarget;
import io.quackrunner.callbacks.CallbackTransport;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunControl;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.logs.LogStream;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import io.quackrunner.secrets.SecretStore;
import io.quackrunner.store.CallbackRecord;
import io.quackrunner.store.Claim;
import io.quackrunner.store.Completion;
import io.quackrunner.store.ContentStore;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.tools.OutputRules;
import io.quackrunner.tools.ToolRegistry;
import io.quackrunner.triggers.InvalidTrigger;
import io.quackrunner.triggers.TriggerPolicy;
import io.quackrunner.triggers.TriggerVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one engine behind every front-end (HTTP, CLI, MCP): validates a {@link RunRequest} against
 * the tool registry, claims its trigger so it executes at most once, schedules it with bounded
 * concurrency and a bounded queue, executes it in the sandbox, checks its outputs, records the
 * result and has its receipt issued.
 *
 * <p>Idempotency holds across processes that share a state directory: the claim is a unique row in
 * the SQLite {@link RunStore}; a process that loses the claim waits for the winner's record to
 * become terminal. A run left QUEUED or RUNNING by a process that died is recovered by {@link
 * #recover()}: RUNNING becomes INTERRUPTED (never re-executed), QUEUED is resumed.
 */
public final class RunService implements AutoCloseable {
  private static final Duration FOREIGN_POLL = Duration.ofMillis(50);

  private final ServiceConfig cfg;
  private final Executor executor;
  private final Path sandboxRoot;
  private final ToolRegistry registry;
  private final RunStore store;
  private final ContentStore cas;
  private final ReceiptIssuer receipts;
  private final RunPlanner planner;
  private final TriggerPolicy triggers;
  private final CallbackPolicy callbackPolicy;
  private volatile CallbackDispatcher dispatcher;
  private final RunLogs logs = new RunLogs();
  private final String owner = Owner.self();
  private final ThreadPoolExecutor workers;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final Map<String, RunControl> controls = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<RunRecord>> completions = new ConcurrentHashMap<>();
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private volatile RunEvents events = RunEvents.NONE;

  /**
   * Creates a service over its parts; {@link #open} builds them from a state directory.
   *
   * @param cfg state directory and scheduling
   * @param executor the executor over an opened sandbox backend
   * @param sandboxRoot the sandbox backend's work root ({@link SandboxConfig#workRoot()})
   * @param registry the tool registry
   * @param store the run store
   * @param cas the content store of inputs
   * @param receipts the receipt issuer
   */
  public RunService(
      ServiceConfig cfg,
      Executor executor,
      Path sandboxRoot,
      ToolRegistry registry,
      RunStore store,
      ContentStore cas,
      ReceiptIssuer receipts) {
    if (cfg.concurrency() < 1 || cfg.queueCapacity() < 0) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "concurrency must be at least 1 and the queue at least 0");
    }
    this.cfg = cfg;
    this.executor = executor;
    this.sandboxRoot = sandboxRoot;
    this.registry = registry;
    this.store = store;
    this.cas = cas;
    this.receipts = receipts;
    this.planner = new RunPlanner(registry, cas, executor, SecretStore.open(cfg.stateDir()));
    this.triggers = TriggerPolicy.load(cfg.stateDir());
    this.callbackPolicy = CallbackPolicy.load(cfg.stateDir());
    this.workers =
        new ThreadPoolExecutor(
            cfg.concurrency(),
            cfg.concurrency(),
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("run-worker-", 0).daemon(true).factory());
  }

  /**
   * Opens a service on a state directory with the real sandbox backend, the built-in runtime
   * profiles and the given limits policy; makes the directory traversable by sandbox uids (0711).
   *
   * @throws RunnerException of kind ISOLATION_UNAVAILABLE when the sandbox cannot open, or
   *     CONFIGURATION when the state directory or database cannot be used
   */
  public static RunService open(
      ServiceConfig cfg, ToolRegistry registry, LimitsPolicy policy, ReceiptIssuer receipts) {
    return open(
        cfg,
        registry,
        policy,
        receipts,
        () -> RunStore.open(cfg.stateDir().toAbsolutePath().resolve("runs.db")));
  }

  /**
   * Opens a service as {@link #open(ServiceConfig, ToolRegistry, LimitsPolicy, ReceiptIssuer)}
   * does, on the run store {@code store} gives (e.g. a shared PostgreSQL store); the service closes
   * it.
   */
  public static RunService open(
      ServiceConfig cfg,
      ToolRegistry registry,
      LimitsPolicy policy,
      ReceiptIssuer receipts,
      java.util.function.Supplier<RunStore> store) {
    Path state = cfg.stateDir().toAbsolutePath();
    try {
      Files.createDirectories(state);
      Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot prepare " + state + ": " + e);
    }
    SandboxConfig sc = SandboxConfig.standard(state);
    Executor ex = new Executor(BubblewrapSandbox.open(sc), sc, RuntimeProfiles.builtIn(), policy);
    return new RunService(
        new ServiceConfig(state, cfg.concurrency(), cfg.queueCapacity()),
        ex,
        sc.workRoot(),
        registry,
        store.get(),
        new ContentStore(state.resolve("cas")),
        receipts);
  }

  /** Sets the observer of finished runs (e.g. metrics). */
  public void events(RunEvents e) {
    this.events = e == null ? RunEvents.NONE : e;
  }

  /**
   * Also reads tenants' secrets from an operator directory laid out {@code <dir>/<tenant>/<NAME>}
   * (a mounted secrets volume), beside {@code <state>/secrets/}.
   *
   * @throws RunnerException of kind CONFIGURATION when {@code dir} is not a directory
   */
  public void secretsDirectory(Path dir) {
    planner.secrets(SecretStore.open(cfg.stateDir()).withDirectory(dir));
  }

  /** Returns the store of tenants' secrets this service reads. */
  public SecretStore secrets() {
    return planner.secrets();
  }

  /** Returns the tool registry. */
  public ToolRegistry registry() {
    return registry;
  }

  /** Returns the content store of inputs. */
  public ContentStore content() {
    return cas;
  }

  /** Returns the limits policy (defaults and maxima). */
  public LimitsPolicy limitsPolicy() {
    return executor.policy();
  }

  /** Returns the state directory. */
  public Path stateDir() {
    return cfg.stateDir();
  }

  /** Returns whether a receipt issuer is configured. */
  public boolean issuesReceipts() {
    return receipts != ReceiptIssuer.NONE;
  }

  /** Returns the number of accepted runs waiting to start in this process. */
  public int queueDepth() {
    return Math.max(0, pending.get() - running.get());
  }

  /**
   * Returns whether a new run would be accepted now: false while every worker is busy and the queue
   * is full (the condition under which {@link #submit} answers BUSY).
   */
  public boolean acceptsRuns() {
    return pending.get() < cfg.concurrency() + cfg.queueCapacity();
  }

  /** Returns the number of runs executing in this process. */
  public int running() {
    return running.get();
  }

  /**
   * Accepts a request: validates it, claims its trigger and queues it; a request whose trigger was
   * claimed before returns that run instead (and nothing is executed again).
   *
   * @param tenant the tenant the run belongs to
   * @param req the request
   * @throws RunnerException of kind UNKNOWN_TOOL, UNKNOWN_FIELD, SCHEMA_VIOLATION or FORBIDDEN for
   *     an invalid request, IDEMPOTENCY_KEY_REUSED when the key was used for another request,
   *     INVALID_TRIGGER ({@link InvalidTrigger}) when the trigger is refused by the tenant's {@link
   *     TriggerPolicy} (a REJECTED record is left), CALLBACK_REFUSED when the callback URL is not
   *     allowed by the {@link CallbackPolicy} (nothing is recorded), BUSY when the queue is full
   */
  public Submission submit(String tenant, RunRequest req) {
    long t0 = System.nanoTime();
    if (tenant == null || !tenant.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new RunnerException(ErrorKind.USAGE, "bad tenant name");
    }
    RunPlanner.Plan plan = planner.plan(tenant, req);
    CallbackTarget callback = checkCallback(req.callback());
    String requestHash = Canonical.sha256(plan.canonicalJson());
    java.util.function.Function<String, RunRecord> record =
        hash ->
            RunRecord.queued(
                Executor.newExecutionId(),
                tenant,
                hash,
                requestHash,
                plan.tool().tool().name(),
                plan.tool().version().version(),
                plan.tool().verb().name(),
                plan.canonicalJson(),
                Instant.now(),
                owner);
    if (req.origin() != null) {
      java.util.function.Function<String, RunRecord> plain = record;
      record = hash -> plain.apply(hash).withOrigin(req.origin().toJson());
    }
    TriggerGate.Checked checked =
        TriggerGate.check(
            store,
            triggers,
            tenant,
            req.idempotencyKey(),
            req.trigger(),
            new TriggerVerifier.Bound(req.tool(), req.version(), req.verb(), req.bindingSha256()),
            record,
            (r, e) -> {
              JsonLog.info(
                  "run.rejected", "run_id", r.id(), "tenant", tenant, "reason", e.reason().slug());
              events.rejected(r);
            });
    String trigger = checked.hash();
    Optional<RunRecord> existing = store.findByTrigger(trigger);
    if (existing.isPresent()) {
      return reuse(existing.get(), tenant, requestHash);
    }
    if (pending.incrementAndGet() > cfg.concurrency() + cfg.queueCapacity()) {
      pending.decrementAndGet();
      existing = store.findByTrigger(trigger);
      if (existing.isPresent()) {
        return reuse(existing.get(), tenant, requestHash);
      }
      throw new RunnerException(
          ErrorKind.BUSY,
          "the run queue is full (" + cfg.queueCapacity() + " waiting); retry later");
    }
    RunRecord fresh = checked.onto(record.apply(trigger));
    Claim c;
    try {
      c =
          store.claim(
              fresh,
              callback == null
                  ? null
                  : CallbackRecord.pending(fresh.id(), req.callback(), callback.addressText()));
    } catch (RuntimeException e) {
      pending.decrementAndGet();
      throw e;
    }
    if (!c.created()) {
      pending.decrementAndGet();
      return reuse(c.record(), tenant, requestHash);
    }
    logs.open(fresh.id());
    JsonLog.info(
        "run.queued",
        "run_id",
        fresh.id(),
        "tenant",
        tenant,
        "tool",
        plan.tool().id(),
        "verb",
        fresh.verb());
    events.admitted(fresh.id(), System.nanoTime() - t0);
    workers.execute(() -> runOne(fresh.id()));
    return new Submission(fresh, true);
  }

  /**
   * Checks a callback URL against the operator's allow-list and resolves its host once; the address
   * it returns is the one delivery connects to.
   */
  private CallbackTarget checkCallback(String url) {
    if (url == null) {
      return null;
    }
    if (!issuesReceipts()) {
      throw new RunnerException(
          ErrorKind.CALLBACK_REFUSED, "this runner issues no receipts, so it sends no callbacks");
    }
    return callbackPolicy.check(url);
  }

  /**
   * Starts delivering receipt callbacks from the store's outbox with a transport (the HTTP client
   * lives in a front-end module); until then callbacks accepted by {@link #submit} wait in the
   * outbox. Attempts are logged ({@code callback.delivered}, {@code callback.failed}, {@code
   * callback.gave_up}) and passed on to {@code listener}.
   */
  public void deliverCallbacks(CallbackTransport transport, CallbackDispatcher.Listener listener) {
    CallbackDispatcher.Listener l = listener == null ? CallbackDispatcher.Listener.NONE : listener;
    dispatcher =
        new CallbackDispatcher(
            store.callbacks(),
            callbackPolicy,
            transport,
            owner,
            new CallbackDispatcher.Listener() {
              @Override
              public void attempted(
                  String runId, int attempts, int status, String error, boolean gaveUp) {
                JsonLog.info(
                    error == null
                        ? "callback.delivered"
                        : gaveUp ? "callback.gave_up" : "callback.failed",
                    "run_id",
                    runId,
                    "attempts",
                    attempts,
                    "status",
                    status,
                    "error",
                    error);
                l.attempted(runId, attempts, status, error, gaveUp);
              }

              @Override
              public void gaveUp(String runId, String reason) {
                JsonLog.info("callback.gave_up", "run_id", runId, "error", reason);
                l.gaveUp(runId, reason);
              }

              @Override
              public void roundFailed(RuntimeException e) {
                JsonLog.warn("callback.round_failed", "detail", String.valueOf(e));
                l.roundFailed(e);
              }
            });
  }

  /** Returns the callback of a run (state, attempts, last error), if it has one. */
  public Optional<CallbackRecord> callback(String id) {
    return store.callbacks().find(id);
  }

  /** Returns the operator's callback policy ({@code callbacks.yaml}). */
  public CallbackPolicy callbackPolicy() {
    return callbackPolicy;
  }

  private void wakeCallbacks() {
    CallbackDispatcher d = dispatcher;
    if (d != null) {
      d.wake();
    }
  }

  private static Submission reuse(RunRecord r, String tenant, String requestHash) {
    return new Submission(TriggerGate.reuse(r, tenant, requestHash).record(), false);
  }

  /**
   * Submits a request and waits for its run to end: the CLI's in-process path. A run claimed by
   * another process is awaited, never executed here.
   *
   * @param timeout how long to wait
   * @return the terminal record
   * @throws RunnerException as {@link #submit}, or of kind EXECUTION_FAILED when the wait timed out
   */
  public RunRecord exec(String tenant, RunRequest req, Duration timeout) {
    Submission s = submit(tenant, req);
    RunRecord r = await(s.record().id(), timeout);
    if (!r.status().isTerminal()) {
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "run " + r.id() + " did not end within " + timeout);
    }
    return r;
  }

  /**
   * Returns a tenant's run.
   *
   * @throws RunnerException of kind NOT_FOUND when there is no such run or it belongs to another
   *     tenant (the two are indistinguishable)
   */
  public RunRecord get(String tenant, String id) {
    return store
        .find(id)
        .filter(r -> r.tenant().equals(tenant))
        .orElseThrow(() -> new RunnerException(ErrorKind.NOT_FOUND, "no run " + id));
  }

  /** Returns a tenant's most recent runs, newest first. */
  public List<RunRecord> list(String tenant, int limit) {
    return store.list(tenant, limit);
  }

  /**
   * Returns one page of a tenant's runs, newest first, filtered by status and tool name when given
   * ({@link io.quackrunner.store.RunStore#page}).
   */
  public List<RunRecord> page(
      String tenant, RunStatus status, String tool, String before, int limit) {
    return store.page(tenant, status, tool, before, limit);
  }

  /**
   * Returns a future completed with the run's terminal record, as soon as it is written; for a run
   * owned by another process the store is polled every 50 ms.
   *
   * @throws RunnerException of kind NOT_FOUND when there is no such run
   */
  public CompletableFuture<RunRecord> completion(String id) {
    CompletableFuture<RunRecord> f =
        completions.computeIfAbsent(id, k -> new CompletableFuture<>());
    RunRecord r =
        store.find(id).orElseThrow(() -> new RunnerException(ErrorKind.NOT_FOUND, "no run " + id));
    if (r.status().isTerminal()) {
      completions.remove(id, f);
      f.complete(r);
    } else if (!r.owner().equals(owner)) {
      watchForeign(id);
    }
    return f;
  }

  /** Waits at most {@code timeout} for a run to end and returns its latest record. */
  public RunRecord await(String id, Duration timeout) {
    try {
      return completion(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return store.find(id).orElseThrow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return store.find(id).orElseThrow();
    } catch (ExecutionException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "waiting for run " + id + ": " + e.getCause());
    }
  }

  /**
   * Cancels a queued or running run of this process: a queued run never starts, a running one is
   * killed; either ends CANCELLED with its receipt.
   *
   * @return the run's record after cancellation
   * @throws RunnerException of kind NOT_FOUND for no such run, CONFLICT when it already ended or
   *     executes in another process
   */
  public RunRecord cancel(String tenant, String id) {
    RunRecord r = get(tenant, id);
    if (r.status().isTerminal()) {
      throw new RunnerException(
          ErrorKind.CONFLICT, "run " + id + " already ended with status " + r.status());
    }
    RunControl control = controls.get(id);
    if (control != null) {
      control.cancel();
    }
    Completion c =
        new Completion(
            RunStatus.CANCELLED,
            Instant.now(),
            null,
            null,
            // A cancellation is the caller's decision, not a runner error: no error kind.
            null,
            null,
            null);
    if (store.finishQueued(id, c)) {
      afterFinish(id, null);
    } else if (control == null && !store.find(id).orElseThrow().status().isTerminal()) {
      throw new RunnerException(
          ErrorKind.CONFLICT, "run " + id + " executes in another runner process");
    }
    JsonLog.info("run.cancel", "run_id", id, "tenant", tenant);
    if (control != null) {
      // A kill issued while the launcher is still joining its cgroup can miss the command
      // (RunControl kills at attach, possibly before the join), so the kill is repeated until
      // the run has ended.
      CompletableFuture<RunRecord> done = completion(id);
      for (int i = 0; i < 600 && !done.isDone(); i++) {
        control.cancel();
        try {
          return done.get(50, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // kill again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (ExecutionException e) {
          break;
        }
      }
    }
    return await(id, Duration.ofSeconds(30));
  }

  /**
   * Follows a run's live output; returns false (and adds nothing) when the run is not live in this
   * process, i.e. it has ended or is owned by another process.
   */
  public boolean follow(String id, LogFollower f) {
    return logs.follow(id, f);
  }

  /** Stops a follower added by {@link #follow}. */
  public void unfollow(String id, LogFollower f) {
    logs.unfollow(id, f);
  }

  /** Returns the directory holding a run's artifacts and {@code reports/}. */
  public Path outDir(String id) {
    return runDir(id).resolve("out");
  }

  /** Returns the stored log file of a run's stream (it may not exist yet). */
  public Path logFile(String id, LogStream stream) {
    return outDir(id).resolve("reports").resolve(stream.label() + ".log");
  }

  private Path runDir(String id) {
    if (!id.matches("[A-Za-z0-9-]{1,64}")) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no run " + id);
    }
    return cfg.stateDir().resolve("runs").resolve(id);
  }

  /**
   * Recovers runs left by processes that died: RUNNING runs become INTERRUPTED (their sandbox
   * workspaces are removed, a receipt is issued, nothing is re-executed) and QUEUED runs are queued
   * here. Runs of live processes are left alone.
   *
   * @return how many runs were interrupted and how many resumed
   */
  public Recovery recover() {
    int interrupted = 0;
    int resumed = 0;
    for (RunRecord r : store.byStatus(RunStatus.RUNNING)) {
      if (!r.owner().equals(owner) && !Owner.alive(r.owner()) && recoverOne(r)) {
        interrupted++;
      }
    }
    for (RunRecord r : store.byStatus(RunStatus.QUEUED)) {
      if (!r.owner().equals(owner) && !Owner.alive(r.owner()) && recoverOne(r)) {
        resumed++;
      }
    }
    int reconciled = 0;
    for (RunRecord r : store.terminalWithoutReceipt()) {
      if (!r.owner().equals(owner)
          && (Owner.alive(r.owner()) || !store.adoptForReceipt(r.id(), r.owner(), owner))) {
        continue; // its live owner, or another recovering process, records the receipt
      }
      Optional<IssuedReceipt> found = receipts.find(r.id());
      IssuedReceipt ir = found.isPresent() ? found.get() : receipts.issue(r, null);
      if (ir != null && store.setReceipt(r.id(), ir.envelopeJson(), ir.ledgerIndex())) {
        reconciled++;
        JsonLog.info("recovery.receipt", "run_id", r.id(), "found_in_ledger", found.isPresent());
      }
    }
    wakeCallbacks();
    JsonLog.info(
        "recovery.done", "interrupted", interrupted, "resumed", resumed, "receipts", reconciled);
    return new Recovery(interrupted, resumed);
  }

  /**
   * What {@link #recover()} did.
   *
   * @param interrupted runs marked INTERRUPTED
   * @param resumed queued runs taken over
   */
  public record Recovery(int interrupted, int resumed) {}

  private boolean recoverOne(RunRecord r) {
    if (!store.takeOver(r.id(), r.owner(), owner)) {
      return false;
    }
    if (r.status() == RunStatus.QUEUED) {
      pending.incrementAndGet();
      logs.open(r.id());
      JsonLog.info("run.resumed", "run_id", r.id());
      workers.execute(() -> runOne(r.id()));
      return true;
    }
    try {
      io.quackrunner.sandbox.Workspace.discard(sandboxRoot, r.id());
    } catch (RunnerException e) {
      JsonLog.warn("recovery.sweep_failed", "run_id", r.id(), "detail", e.getMessage());
    }
    RunDetails d = Results.interrupted(this, r);
    Completion c =
        new Completion(
            RunStatus.INTERRUPTED,
            Instant.now(),
            null,
            null,
            ErrorKind.EXECUTION_FAILED,
            "the runner stopped while the run was executing; it was not re-executed",
            Results.json(d));
    if (store.finish(r.id(), c)) {
      JsonLog.info("run.interrupted", "run_id", r.id());
      afterFinish(r.id(), null);
    }
    return true;
  }

  private void watchForeign(String id) {
    if (!watched.add(id)) {
      return;
    }
    Thread.ofVirtual()
        .name("watch-" + id)
        .start(
            () -> {
              try {
                while (true) {
                  RunRecord r = store.find(id).orElseThrow();
                  if (r.status().isTerminal()) {
                    complete(id, r);
                    return;
                  }
                  if (r.owner().equals(owner)) {
                    return; // taken over: this process completes it
                  }
                  if (!Owner.alive(r.owner())) {
                    recoverOne(r);
                  }
                  Thread.sleep(FOREIGN_POLL);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                watched.remove(id);
              }
            });
  }

  private void runOne(String id) {
    RunControl control = new RunControl();
    controls.put(id, control);
    boolean started = false;
    try {
      if (!store.markRunning(id, Instant.now())) {
        return; // cancelled while queued
      }
      started = true;
      running.incrementAndGet();
      JsonLog.info("run.started", "run_id", id);
      RunRecord r = store.find(id).orElseThrow();
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
        Path dir = runDir(id);
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
        events.executed(result.wallTimeMs(), overhead);
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
      if (store.finish(id, c)) {
        afterFinish(id, result);
      }
    } catch (RuntimeException e) {
      JsonLog.warn("run.internal_error", "run_id", id, "detail", String.valueOf(e));
      Completion c =
          new Completion(
              RunStatus.FAILED,
              Instant.now(),
              null,
              null,
              ErrorKind.INTERNAL,
              "internal error",
              null);
      if (store.finish(id, c)) {
        afterFinish(id, null);
      }
    } finally {
      controls.remove(id);
      if (started) {
        running.decrementAndGet();
      }
      pending.decrementAndGet();
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

  /** Issues the receipt of a run that just became terminal, then wakes its waiters. */
  private void afterFinish(String id, ExecutionResult result) {
    RunRecord rec = store.find(id).orElseThrow();
    try {
      IssuedReceipt ir = receipts.issue(rec, result);
      if (ir != null) {
        store.setReceipt(id, ir.envelopeJson(), ir.ledgerIndex());
        rec = store.find(id).orElseThrow();
        wakeCallbacks();
      }
    } catch (RuntimeException e) {
      JsonLog.warn("receipt.failed", "run_id", id, "detail", e.getMessage());
    }
    logs.close(id);
    JsonLog.info(
        "run.finished",
        "run_id",
        id,
        "status",
        rec.status().name(),
        "exit_code",
        rec.exitCode(),
        "error",
        rec.errorDetail());
    events.finished(rec);
    complete(id, rec);
  }

  private void complete(String id, RunRecord rec) {
    CompletableFuture<RunRecord> f = completions.remove(id);
    if (f != null) {
      f.complete(rec);
    }
  }

  /**
   * Stops taking work: runs not yet started stay QUEUED in the store (the next process resumes
   * them), running runs get up to 10 s to end, then are cancelled; the store is closed.
   */
  @Override
  public void close() {
    workers.getQueue().clear();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        controls.values().forEach(RunControl::cancel);
        workers.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    CallbackDispatcher d = dispatcher;
    if (d != null) {
      d.close();
    }
    store.close();
  }

  /** Returns the run store (for front-ends that read records directly). */
  public RunStore store() {
    return store;
  }
}
