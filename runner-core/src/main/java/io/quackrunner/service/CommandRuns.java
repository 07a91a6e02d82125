package io.quackrunner.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.RunnerVersion;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.logs.LogListener;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.TriggerHashes;
import io.quackrunner.store.Claim;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerPolicy;
import io.quackrunner.triggers.TriggerVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs raw commands ({@code runner exec}) at most once per trigger, across every process sharing a
 * state directory: the trigger is claimed as a unique row in the {@link RunStore} (the same table
 * the gateway uses), the claimant executes and has the one receipt issued, and any other process
 * with the same trigger waits for that record to end and gets it back without executing.
 *
 * <p>A claimant that died mid-run leaves a RUNNING record; the next claimer marks it INTERRUPTED
 * with its receipt and never re-executes it (DESIGN invariants 1 and 2).
 *
 * <p>Keys and signed triggers go through the same {@link TriggerGate} as {@link RunService}: the
 * tenant's {@code triggers.yaml} rules hold for raw commands too, a refused trigger leaves a
 * REJECTED record and starts no sandbox, and a signed trigger binds the command as {@link #binding}
 * describes.
 */
public final class CommandRuns {
  /** The tool name command runs are recorded under. */
  public static final String TOOL = "exec";

  private static final Duration POLL = Duration.ofMillis(50);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Executor executor;
  private final RunStore store;
  private final ReceiptLog log;
  private final TriggerPolicy triggers;
  private final String owner = Owner.self();

  /**
   * Creates the engine over an executor, the run store, the receipt log and the trigger policy of
   * one state dir ({@link TriggerPolicy#load}).
   */
  public CommandRuns(Executor executor, RunStore store, ReceiptLog log, TriggerPolicy triggers) {
    this.executor = executor;
    this.store = store;
    this.log = log;
    this.triggers = triggers;
  }

  /**
   * Returns what a signed trigger must bind to authorize a command: tool and verb {@value #TOOL},
   * version the runner's version, and {@code request_sha256} the hex SHA-256 of the command's RFC
   * 8785 request form ({@link TriggerHashes#canonicalRequest}: argv, runtime, env, the resolved
   * limits and the SHA-256 of each input file). Nothing is executed.
   *
   * @throws RunnerException of kind USAGE or NOT_FOUND for a bad request
   */
  public TriggerVerifier.Bound binding(ExecRequest req) {
    Executor.Prepared p = executor.prepare(req);
    return new TriggerVerifier.Bound(
        TOOL, RunnerVersion.get(), TOOL, TriggerHashes.sha256(TriggerHashes.canonicalRequest(p)));
  }

  /**
   * What one {@code exec} call got.
   *
   * @param record the terminal record of the trigger's run
   * @param result what the sandbox reported, or null when this call executed nothing
   * @param replayed true when another call had executed (or was executing) the trigger
   * @param outDir where that run's artifacts and reports are
   */
  public record Outcome(RunRecord record, ExecutionResult result, boolean replayed, Path outDir) {
    /** Returns the CLI exit code of the run (docs/EXIT-CODES.md). */
    public int cliExitCode() {
      return CommandRuns.cliExitCode(record);
    }
  }

  /**
   * Executes {@code req} with a key or a fresh trigger; see {@link #exec(String, ExecRequest,
   * String, SignedTrigger, LogListener)}.
   */
  public Outcome exec(String tenant, ExecRequest req, String idempotencyKey, LogListener listener) {
    return exec(tenant, req, idempotencyKey, null, listener);
  }

  /**
   * Executes {@code req} unless its trigger already ran.
   *
   * @param idempotencyKey the caller's key, or null
   * @param trigger a signed trigger binding this command ({@link #binding}), or null; with neither,
   *     the trigger is fresh and the command executes every time
   * @throws RunnerException of kind USAGE or NOT_FOUND for a bad request, IDEMPOTENCY_KEY_REUSED
   *     when the key was used for another request, INVALID_TRIGGER ({@link
   *     io.quackrunner.triggers.InvalidTrigger}, a REJECTED record left) when the tenant's policy
   *     refuses the trigger or requires one, CONFLICT for another tenant's link,
   *     RECEIPT_COMMIT_FAILED when the receipt cannot be issued
   */
  public Outcome exec(
      String tenant,
      ExecRequest req,
      String idempotencyKey,
      SignedTrigger trigger,
      LogListener listener) {
    Executor.Prepared p = executor.prepare(req);
    byte[] canonical = TriggerHashes.canonicalRequest(p);
    String requestHash = TriggerHashes.sha256(canonical);
    String requestJson = requestJson(canonical, req.outDir());
    java.util.function.Function<String, RunRecord> record =
        hash ->
            RunRecord.queued(
                p.executionId(),
                tenant,
                hash,
                requestHash,
                TOOL,
                RunnerVersion.get(),
                TOOL,
                requestJson,
                Instant.now(),
                owner);
    TriggerGate.Checked checked =
        TriggerGate.check(
            store,
            triggers,
            tenant,
            idempotencyKey,
            trigger,
            new TriggerVerifier.Bound(TOOL, RunnerVersion.get(), TOOL, requestHash),
            record,
            // The CLI reports the refusal itself, in one line.
            (r, e) -> {});
    RunRecord fresh = checked.onto(record.apply(checked.hash()));
    Claim c = store.claim(fresh);
    if (!c.created()) {
      TriggerGate.reuse(c.record(), tenant, requestHash);
      RunRecord done = awaitForeign(c.record());
      return new Outcome(done, null, true, outDirOf(done));
    }
    if (!store.markRunning(fresh.id(), Instant.now())) {
      throw new RunnerException(ErrorKind.INTERNAL, "run " + fresh.id() + " left QUEUED under us");
    }
    ExecutionResult r;
    try {
      r = executor.execute(p, listener);
    } catch (RunnerException e) {
      finish(
          fresh.id(),
          new Completion(
              RunStatus.FAILED, Instant.now(), null, null, e.kind(), e.getMessage(), null),
          null);
      throw e;
    }
    finish(
        fresh.id(),
        new Completion(
            r.status(),
            r.finishedAt(),
            r.exitCode(),
            r.signal(),
            r.errorKind(),
            r.failureReason(),
            null),
        r);
    return new Outcome(store.find(fresh.id()).orElseThrow(), r, false, r.outDir());
  }

  private void finish(String id, Completion c, ExecutionResult r) {
    store.finish(id, c);
    RunRecord rec = store.find(id).orElseThrow();
    ReceiptLog.Committed committed;
    if (r != null) {
      committed =
          log.issue(
              r,
              rec.triggerHash(),
              null,
              r.outDir().resolve("reports"),
              TriggerRecords.predicate(rec.triggerJson()));
    } else {
      IssuedReceipt ir = new LedgerReceiptIssuer(log).issue(rec, null);
      committed =
          new ReceiptLog.Committed(
              ir.envelopeJson().getBytes(StandardCharsets.UTF_8), ir.ledgerIndex());
    }
    store.setReceipt(
        id, new String(committed.envelope(), StandardCharsets.UTF_8), committed.index());
  }

  /** Waits for another process's run; takes it over as INTERRUPTED if that process died. */
  private RunRecord awaitForeign(RunRecord r) {
    while (true) {
      RunRecord now = store.find(r.id()).orElseThrow();
      if (now.status().isTerminal() && now.receiptJson() != null) {
        return now;
      }
      if (now.status().isTerminal()
          && !Owner.alive(now.owner())
          && store.adoptForReceipt(now.id(), now.owner(), owner)) {
        // Its owner died between the ledger append and recording the receipt, or before issuing.
        LedgerReceiptIssuer issuer = new LedgerReceiptIssuer(log);
        IssuedReceipt ir = issuer.find(now.id()).orElseGet(() -> issuer.issue(now, null));
        store.setReceipt(now.id(), ir.envelopeJson(), ir.ledgerIndex());
        return store.find(now.id()).orElseThrow();
      }
      if (!now.status().isTerminal()
          && !Owner.alive(now.owner())
          && store.takeOver(now.id(), now.owner(), owner)) {
        executor.discardWorkspace(now.id());
        finish(
            now.id(),
            new Completion(
                RunStatus.INTERRUPTED,
                Instant.now(),
                null,
                null,
                ErrorKind.EXECUTION_FAILED,
                "the runner stopped while the run was executing; it was not re-executed",
                null),
            null);
        return store.find(now.id()).orElseThrow();
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "interrupted waiting for run " + r.id());
      }
    }
  }

  private static String requestJson(byte[] canonical, Path outDir) {
    try {
      ObjectNode n = (ObjectNode) JSON.readTree(canonical);
      n.put("out_dir", outDir.toString());
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot record the request: " + e, e);
    }
  }

  private static Path outDirOf(RunRecord r) {
    try {
      var n = JSON.readTree(r.requestJson()).get("out_dir");
      return n == null ? null : Path.of(n.asText());
    } catch (IOException e) {
      return null;
    }
  }

  static int cliExitCode(RunRecord r) {
    return io.quackrunner.execution.ExitCodes.of(
        r.status(), r.exitCode(), r.signal(), r.errorKind());
  }
}
