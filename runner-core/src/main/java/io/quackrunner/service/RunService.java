package io.quackrunner.service;

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
import io.quackrunner.logs.LogListener;
import io.quackrunner.logs.LogStream;
import io.quackrunner.receipts.TriggerHashes;
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
import io.quackrunner.store.SharedQueue;
import io.quackrunner.tools.ToolRegistry;
import io.quackrunner.triggers.InvalidTrigger;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerPolicy;
import io.quackrunner.triggers.TriggerVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one engine behind every front-end (HTTP, CLI, MCP, Temporal): validates a {@link RunRequest}
 * against the tool registry, or takes a raw command as a run of the built-in {@link CommandTool},
 * claims its trigger so it executes at most once ({@link TriggerGate}), schedules it with bounded
 * concurrency and a bounded queue ({@link RunQueue}), executes it in the sandbox ({@link
 * RunWorker}), records the result and has its receipt issued ({@link RunFinisher}).
 *
 * <p>Idempotency holds across processes that share a run store: the claim is a unique row in the
 * {@link RunStore}; a process that loses the claim waits for the winner's record to become terminal
 * ({@link RunCompletions}). A run left QUEUED or RUNNING by a process that died is recovered by
 * {@link #recover()} ({@link RunRecovery}): RUNNING becomes INTERRUPTED (never re-executed), QUEUED
 * is resumed.
 */
public final class RunService implements AutoCloseable {
  private final ServiceConfig cfg;
  private final Executor executor;
  private final ToolRegistry registry;
  private final RunStore store;
  private final ContentStore cas;
  private final ReceiptIssuer receipts;
  private final RunPlanner planner;
  private final TriggerPolicy triggers;
  private final RunCallbacks callbacks;
  private final RunLogs logs = new RunLogs();
  private final NodeRegistry nodes;
  private final String owner;
  private final RunQueue queue;
  private final Map<String, RunControl> controls = new ConcurrentHashMap<>();
  private final RunCompletions completions;
  private final RunFinisher finisher;
  private final RunWorker worker;
  private final RunRecovery recovery;
  private final RunCancels cancels;
  private final QueueClaims shared;
  private volatile RunEvents events = RunEvents.NONE;

  /**
   * Creates a service over its parts; {@link #open} builds them from a state directory. Nothing is
   * started: worker threads start with the first queued run.
   *
   * @param cfg state directory and scheduling
   * @param executor the executor over an opened sandbox backend
   * @param sandboxRoot the sandbox backend's work root ({@link SandboxConfig#workRoot()})
   * @param registry the tool registry ({@link ToolRegistry#empty()} for raw commands only)
   * @param store the run store
   * @param cas the content store of inputs
   * @param receipts the receipt issuer
   * @throws RunnerException of kind CONFIGURATION for a concurrency below 1 or a negative queue, or
   *     a bad {@code triggers.yaml} ({@code callbacks.yaml} is read on first use)
   */
  public RunService(
      ServiceConfig cfg,
      Executor executor,
      Path sandboxRoot,
      ToolRegistry registry,
      RunStore store,
      ContentStore cas,
      ReceiptIssuer receipts) {
    this(cfg, executor, sandboxRoot, registry, store, cas, receipts, NodeRegistry.local());
  }

  /**
   * Creates a service as {@link #RunService(ServiceConfig, Executor, Path, ToolRegistry, RunStore,
   * ContentStore, ReceiptIssuer)} does, as a member of the nodes sharing {@code store}: it joins
   * ({@link NodeRegistry#join}, a new epoch on a shared store) and, on a shared store, starts its
   * heartbeat, which recovers the runs of nodes it finds dead; the service closes {@code nodes}.
   *
   * @throws RunnerException as the other constructor, or of kind INTERNAL when joining fails
   */
  public RunService(
      ServiceConfig cfg,
      Executor executor,
      Path sandboxRoot,
      ToolRegistry registry,
      RunStore store,
      ContentStore cas,
      ReceiptIssuer receipts,
      NodeRegistry nodes) {
    this.queue = new RunQueue(cfg.concurrency(), cfg.queueCapacity());
    this.nodes = nodes;
    this.owner = nodes.join(store);
    this.cfg = cfg;
    this.executor = executor;
    this.registry = registry;
    this.store = store;
    this.cas = cas;
    this.receipts = receipts;
    this.planner = new RunPlanner(registry, cas, executor, SecretStore.open(cfg.stateDir()));
    this.triggers = TriggerPolicy.load(cfg.stateDir());
    this.callbacks = new RunCallbacks(store, owner, cfg.stateDir(), receipts != ReceiptIssuer.NONE);
    this.completions =
        new RunCompletions(
            store, owner, nodes::alive, this::recoverAbandoned, receipts != ReceiptIssuer.NONE);
    this.finisher =
        new RunFinisher(store, receipts, logs, completions, () -> events, this::wakeCallbacks);
    this.worker =
        new RunWorker(
            store,
            executor,
            planner,
            registry,
            cas,
            logs,
            queue,
            finisher,
            controls,
            () -> events,
            this::runDir);
    this.recovery =
        new RunRecovery(
            store,
            owner,
            nodes::alive,
            receipts,
            sandboxRoot,
            finisher,
            id -> worker.enqueue(id, false),
            r -> Results.interrupted(r, reportsOf(r), registry));
    this.cancels = new RunCancels(store, owner, controls);
    // On a shared database the queue is global (QueueClaims); on SQLite it is this process's own.
    this.shared =
        nodes.isShared()
            ? store
                .sharedQueue()
                .map(
                    q ->
                        new QueueClaims(
                            q, queue, owner, cfg.queueCapacity(), id -> worker.enqueue(id, true)))
                .orElse(null)
            : null;
    nodes.start(this::sweep, this::fenced);
  }

  /** The heartbeat's recovery of the runs of dead nodes. */
  private void sweep() {
    if (recovery.recoverAll(true).interrupted() > 0) {
      wakeCallbacks();
    }
  }

  /**
   * This node was declared dead: its runs were (or will be) interrupted by a live node, so its
   * running sandboxes are killed; every later write of it is refused by the store.
   */
  private void fenced() {
    controls.values().forEach(RunControl::cancel);
  }

  /** Returns this node's membership (its lease on a shared store). */
  public NodeRegistry nodes() {
    return nodes;
  }

  /**
   * Opens a service on a state directory with the real sandbox backend, the built-in runtime
   * profiles and the given limits policy; makes the directory traversable by sandbox uids (0711).
   *
   * @throws RunnerException of kind ISOLATION_UNAVAILABLE when the sandbox cannot open, or
   *     CONFIGURATION when the state directory, database, {@code triggers.yaml} or {@code
   *     callbacks.yaml} cannot be used
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
    return open(cfg, registry, policy, receipts, store, NodeRegistry.local());
  }

  /**
   * Opens a service as {@link #open(ServiceConfig, ToolRegistry, LimitsPolicy, ReceiptIssuer,
   * java.util.function.Supplier)} does, as the node {@code nodes} describes ({@link
   * NodeRegistry#shared} on a PostgreSQL store); the service closes it.
   */
  public static RunService open(
      ServiceConfig cfg,
      ToolRegistry registry,
      LimitsPolicy policy,
      ReceiptIssuer receipts,
      java.util.function.Supplier<RunStore> store,
      NodeRegistry nodes) {
    Path state = cfg.stateDir().toAbsolutePath();
    Path content = cfg.contentDir() == null ? null : cfg.contentDir().toAbsolutePath();
    try {
      Files.createDirectories(state);
      Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot prepare " + state + ": " + e);
    }
    if (content != null) {
      try {
        Files.createDirectories(content.resolve("runs"));
      } catch (IOException e) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, "cannot use the content directory " + content + ": " + e);
      }
    }
    ServiceConfig resolved =
        new ServiceConfig(state, cfg.concurrency(), cfg.queueCapacity(), content);
    SandboxConfig sc = SandboxConfig.standard(state);
    Executor ex = new Executor(BubblewrapSandbox.open(sc), sc, RuntimeProfiles.builtIn(), policy);
    RunService service =
        new RunService(
            resolved,
            ex,
            sc.workRoot(),
            registry,
            store.get(),
            new ContentStore(resolved.contentRoot()),
            receipts,
            nodes);
    // A server refuses to start on a bad callbacks.yaml rather than at its first callback.
    service.callbackPolicy();
    return service;
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

  /**
   * Returns the number of accepted runs waiting to start: in this process, or on a shared database
   * the unclaimed runs of every node.
   */
  public int queueDepth() {
    return shared != null ? (int) shared.waiting() : queue.depth();
  }

  /**
   * Returns whether a new run would be accepted now: false while every worker is busy and the queue
   * is full (the condition under which {@link #submit} answers BUSY).
   */
  public boolean acceptsRuns() {
    return shared != null ? shared.accepts() : queue.accepts();
  }

  /** Returns the number of runs executing in this process. */
  public int running() {
    return queue.running();
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
   *     allowed by the {@link CallbackPolicy} (nothing is recorded), BUSY when the queue is full,
   *     UNAVAILABLE ({@link io.quackrunner.store.NodeFenced}) when this node was declared dead
   */
  public Submission submit(String tenant, RunRequest req) {
    long t0 = System.nanoTime();
    checkTenant(tenant);
    nodes.checkLive("a new run");
    RunPlanner.Plan plan = planner.plan(tenant, req);
    CallbackTarget callback = callbacks.check(req.callback());
    String requestHash = Canonical.sha256(plan.canonicalJson());
    // On a shared database a node with a free execution slot keeps what it accepts (the insert is
    // its claim); otherwise the run waits unclaimed in the global queue for any node.
    boolean slot = shared != null && queue.reserveSlot();
    boolean handedOver = false;
    try {
      String acceptedBy = shared != null && !slot ? SharedQueue.UNCLAIMED : owner;
      Function<String, RunRecord> record =
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
                  acceptedBy);
      record = withOrigin(record, req.origin());
      TriggerGate.Checked checked =
          TriggerGate.check(
              store,
              triggers,
              tenant,
              req.idempotencyKey(),
              req.trigger(),
              new TriggerVerifier.Bound(req.tool(), req.version(), req.verb(), req.bindingSha256()),
              record,
              rejected(tenant));
      String trigger = checked.hash();
      Optional<RunRecord> existing = TriggerGate.earlier(store, trigger, tenant, requestHash);
      if (existing.isPresent()) {
        return new Submission(existing.get(), false);
      }
      if (shared == null && !queue.admit()) {
        return earlierOrBusy(trigger, tenant, requestHash);
      }
      RunRecord fresh = checked.onto(record.apply(trigger));
      CallbackRecord cb =
          callback == null
              ? null
              : CallbackRecord.pending(fresh.id(), req.callback(), callback.addressText());
      Claim c;
      if (shared != null && !slot) {
        Optional<Claim> q = shared.enqueue(fresh, cb);
        if (q.isEmpty()) {
          return earlierOrBusy(trigger, tenant, requestHash);
        }
        c = q.get().created() ? q.get() : TriggerGate.reuse(q.get().record(), tenant, requestHash);
      } else {
        try {
          c = TriggerGate.claim(store, fresh, cb, tenant, requestHash);
        } catch (RuntimeException e) {
          if (shared == null) {
            queue.release();
          }
          throw e;
        }
      }
      if (!c.created()) {
        if (shared == null) {
          queue.release();
        }
        return new Submission(c.record(), false);
      }
      queued(fresh, plan.tool().id());
      events.admitted(fresh.id(), System.nanoTime() - t0);
      if (shared == null || slot) {
        worker.enqueue(fresh.id(), true);
        handedOver = true;
      } else {
        shared.wake(); // this node may have a slot again by now
      }
      return new Submission(fresh, true);
    } finally {
      if (slot && !handedOver) {
        queue.release();
      }
    }
  }

  /** A full queue: the earlier run of the trigger when one was claimed meanwhile, else BUSY. */
  private Submission earlierOrBusy(String trigger, String tenant, String requestHash) {
    Optional<RunRecord> existing = TriggerGate.earlier(store, trigger, tenant, requestHash);
    if (existing.isPresent()) {
      return new Submission(existing.get(), false);
    }
    throw new RunnerException(
        ErrorKind.BUSY, "the run queue is full (" + queue.capacity() + " waiting); retry later");
  }

  private static void queued(RunRecord fresh, String toolId) {
    JsonLog.info(
        "run.queued",
        "run_id",
        fresh.id(),
        "tenant",
        fresh.tenant(),
        "tool",
        toolId,
        "verb",
        fresh.verb());
  }

  private static void checkTenant(String tenant) {
    if (tenant == null || !tenant.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new RunnerException(ErrorKind.USAGE, "bad tenant name");
    }
  }

  private static Function<String, RunRecord> withOrigin(
      Function<String, RunRecord> record, RunOrigin origin) {
    return origin == null ? record : hash -> record.apply(hash).withOrigin(origin.toJson());
  }

  private BiConsumer<RunRecord, InvalidTrigger> rejected(String tenant) {
    return (r, e) -> {
      JsonLog.info("run.rejected", "run_id", r.id(), "tenant", tenant, "reason", e.reason().slug());
      events.rejected(r);
    };
  }

  /**
   * Returns what a signed trigger must bind to authorize a raw command: tool and verb {@value
   * CommandTool#TOOL}, version the runner's version, and {@code request_sha256} the hex SHA-256 of
   * the command's RFC 8785 request form ({@link TriggerHashes#canonicalRequest}: argv, runtime,
   * env, the resolved limits and the SHA-256 of each input file). Nothing is executed.
   *
   * @throws RunnerException of kind USAGE or NOT_FOUND for a bad request
   */
  public TriggerVerifier.Bound binding(ExecRequest req) {
    return CommandTool.binding(
        TriggerHashes.sha256(TriggerHashes.canonicalRequest(executor.prepare(req))));
  }

  /**
   * Runs a raw command as a run of the built-in {@link CommandTool}, at most once per trigger
   * across every process sharing the run store, on the calling thread: the caller that claims the
   * trigger executes the command, streaming its output to {@code listener}, and gets its terminal
   * record with the receipt; a caller whose trigger was claimed before waits for that run's record
   * (and its receipt) and gets it back without executing. A run whose owner died meanwhile is
   * recovered as {@link #recover()} does (INTERRUPTED with its receipt, never re-executed).
   *
   * @param req the command; its execution id becomes the run's id
   * @param idempotencyKey the caller's key, or null
   * @param trigger a signed trigger binding this command ({@link #binding}), or null; with neither,
   *     the trigger is fresh and the command executes every time
   * @param origin the front-end that asked, or null
   * @throws RunnerException of kind USAGE or NOT_FOUND for a bad request, IDEMPOTENCY_KEY_REUSED
   *     when the key was used for another request, INVALID_TRIGGER ({@link InvalidTrigger}, a
   *     REJECTED record left) when the tenant's policy refuses the trigger or requires one,
   *     CONFLICT for another tenant's link, RECEIPT_COMMIT_FAILED when the receipt cannot be
   *     issued, and what the executor throws for a command the sandbox cannot run (its run ends
   *     FAILED)
   */
  public CommandRun exec(
      String tenant,
      ExecRequest req,
      String idempotencyKey,
      SignedTrigger trigger,
      RunOrigin origin,
      LogListener listener) {
    checkTenant(tenant);
    nodes.checkLive("a new command run");
    Executor.Prepared p = executor.prepare(req);
    byte[] canonical = TriggerHashes.canonicalRequest(p);
    String requestHash = TriggerHashes.sha256(canonical);
    Function<String, RunRecord> record =
        withOrigin(CommandTool.record(p, canonical, requestHash, tenant, owner), origin);
    TriggerGate.Checked checked =
        TriggerGate.check(
            store,
            triggers,
            tenant,
            idempotencyKey,
            trigger,
            CommandTool.binding(requestHash),
            record,
            rejected(tenant));
    RunRecord fresh = checked.onto(record.apply(checked.hash()));
    Claim c = TriggerGate.claim(store, fresh, null, tenant, requestHash);
    if (!c.created()) {
      RunRecord done = recovery.awaitReceipt(completions.of(c.record().id()).join());
      return new CommandRun(done, null, true, CommandTool.outDir(done));
    }
    queued(fresh, fresh.tool() + "@" + fresh.version());
    ExecutionResult r = worker.runCommand(p, listener);
    return new CommandRun(store.find(fresh.id()).orElseThrow(), r, false, r.outDir());
  }

  /**
   * Starts delivering receipt callbacks from the store's outbox with a transport (the HTTP client
   * lives in a front-end module); until then callbacks accepted by {@link #submit} wait in the
   * outbox. Attempts are logged ({@code callback.delivered}, {@code callback.failed}, {@code
   * callback.gave_up}) and passed on to {@code listener}.
   */
  public void deliverCallbacks(CallbackTransport transport, CallbackDispatcher.Listener listener) {
    callbacks.deliver(transport, listener);
  }

  /** Returns the callback of a run (state, attempts, last error), if it has one. */
  public Optional<CallbackRecord> callback(String id) {
    return store.callbacks().find(id);
  }

  /** Returns the operator's callback policy ({@code callbacks.yaml}). */
  public CallbackPolicy callbackPolicy() {
    return callbacks.policy();
  }

  private void wakeCallbacks() {
    callbacks.wake();
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
    return completions.of(id);
  }

  /** Waits at most {@code timeout} for a run to end and returns its latest record. */
  public RunRecord await(String id, Duration timeout) {
    return completions.await(id, timeout);
  }

  /**
   * Cancels a queued or running run of any process sharing the run store: a queued run never
   * starts, a running one is killed; either ends CANCELLED with its receipt. A run executing in
   * another process (another node, or {@code runner exec} on the same state directory) gets a
   * cancel request in the store ({@link RunStore#requestCancel}); its owner polls for requests
   * every {@value RunCancels#POLL_MS} ms while it executes runs ({@link RunCancels}), kills the
   * sandbox and ends the run CANCELLED with the one receipt, which this call waits for (at most 30
   * s, as for a local run).
   *
   * @return the run's record after cancellation (still RUNNING only when its owner did not end it
   *     within 30 s; INTERRUPTED when its owner died meanwhile and another node recovered it)
   * @throws RunnerException of kind NOT_FOUND for no such run, CONFLICT when it already ended
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
      finisher.ended(id, null);
    } else if (control == null && store.requestCancel(id, Instant.now())) {
      // RUNNING in another process: its owner kills it and issues the receipt.
      JsonLog.info("run.cancel_requested", "run_id", id, "tenant", tenant, "owner", r.owner());
      return await(id, Duration.ofSeconds(30));
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
    return cfg.runsRoot().resolve(id);
  }

  /**
   * Recovers runs left by processes that died: RUNNING runs become INTERRUPTED (their sandbox
   * workspaces are removed, a receipt is issued, nothing is re-executed) and QUEUED runs are queued
   * here. Runs of live processes are left alone.
   *
   * @return how many runs were interrupted and how many resumed
   */
  public Recovery recover() {
    Recovery r = recovery.recoverAll();
    wakeCallbacks();
    return r;
  }

  /**
   * What {@link #recover()} did.
   *
   * @param interrupted runs marked INTERRUPTED
   * @param resumed queued runs taken over
   */
  public record Recovery(int interrupted, int resumed) {}

  private void recoverAbandoned(RunRecord r) {
    recovery.recoverOne(r);
  }

  /** Returns the {@code reports/} directory of a run, where its logs are written. */
  private Path reportsOf(RunRecord r) {
    if (CommandTool.is(r)) {
      Path out = CommandTool.outDir(r);
      return out == null ? null : out.resolve("reports");
    }
    return outDir(r.id()).resolve("reports");
  }

  /**
   * Stops taking work: runs not yet started stay QUEUED in the store (the next process resumes
   * them), running runs get up to 10 s to end, then are cancelled; the store is closed.
   */
  @Override
  public void close() {
    if (shared != null) {
      shared.close();
    }
    boolean stopped = queue.close(() -> controls.values().forEach(RunControl::cancel));
    if (shared != null && stopped) {
      // Only once no worker of this node can still start one of them (markRunning checks status).
      shared.releaseClaimed();
    }
    cancels.close();
    callbacks.close();
    nodes.close();
    store.close();
  }

  /** Returns the run store (for front-ends that read records directly). */
  public RunStore store() {
    return store;
  }
}
