package io.quackrunner.service;

import io.quackrunner.RunnerVersion;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.receipts.ExecutionReceipts;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptPredicate;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.store.RunRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Issues each run's receipt through a state directory's {@link ReceiptLog}: an in-toto Statement v1
 * with the QuackRunner predicate, signed as a DSSE envelope with Ed25519 and appended to the RFC
 * 9162 ledger.
 *
 * <p>The predicate records the run's final status (after output checks), so a run that exited 0 but
 * broke its declared outputs is receipted as FAILED with {@code artifact-violation}; a run that
 * never executed (cancelled while queued) or was cut off (INTERRUPTED) gets a receipt without
 * sandbox measurements.
 *
 * <p>An executed raw command ({@link CommandTool}) is receipted with its {@code command} (argv) in
 * place of a registered tool, and its receipt, a checkpoint and its inclusion proof are also
 * written to the command's {@code reports/} ({@link ReceiptLog#writeBundle}) for its caller to
 * verify offline.
 */
public final class LedgerReceiptIssuer implements ReceiptIssuer {
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private final ReceiptLog log;

  /** Creates an issuer over an opened receipt log. */
  public LedgerReceiptIssuer(ReceiptLog log) {
    this.log = log;
  }

  @Override
  public synchronized IssuedReceipt issue(RunRecord r, ExecutionResult result) {
    Results.ToolIdentity id = Results.toolIdentity(r);
    ReceiptPredicate.Tool tool = new ReceiptPredicate.Tool(r.tool(), r.version(), id.digest());
    boolean command = CommandTool.is(r);
    ReceiptPredicate p =
        result != null
            ? withFinalStatus(
                ExecutionReceipts.predicate(result, r.triggerHash(), command ? null : tool), r)
            : unexecuted(r, tool, id.runtime());
    RunDetails details = Results.read(r);
    if (details != null && details.secrets() != null) {
      p = p.withSecrets(details.secrets());
    }
    ReceiptPredicate.Trigger t = TriggerRecords.predicate(r.triggerJson());
    if (t != null) {
      p = p.withTrigger(t);
    }
    RunOrigin origin = RunOrigin.fromJson(r.originJson());
    if (origin != null) {
      p = p.withOrigin(origin.predicate());
    }
    ReceiptLog.Committed c = append(r.id(), log.sign(ReceiptStatement.of(p)));
    if (command && result != null) {
      log.writeBundle(c, result.outDir().resolve("reports"));
    }
    return new IssuedReceipt(new String(c.envelope(), StandardCharsets.UTF_8), c.index());
  }

  /**
   * Appends a run's signed receipt; while the database is unreachable (a PostgreSQL restart) the
   * append is retried as the run's other writes are ({@link StoreRetry}), each retry first looking
   * the envelope up in the ledger, since the failed attempt may have committed before its answer
   * was lost. Without this a receipt due during an outage was left to recovery, which a live node
   * never does for its own runs: the run stayed without a receipt until its node restarted.
   */
  private ReceiptLog.Committed append(String runId, byte[] envelope) {
    boolean[] retry = {false};
    return StoreRetry.untilAvailable(
        "receipt append",
        runId,
        () -> {
          try {
            return retry[0] ? log.appendOnce(envelope) : log.append(envelope);
          } catch (io.quackrunner.store.NodeFenced e) {
            throw e;
          } catch (io.quackrunner.errors.RunnerException e) {
            if (e.kind() != io.quackrunner.errors.ErrorKind.UNAVAILABLE
                && io.quackrunner.store.SqlErrors.causedByUnreachable(e)) {
              throw new io.quackrunner.errors.RunnerException(
                  io.quackrunner.errors.ErrorKind.UNAVAILABLE, e.getMessage(), e);
            }
            throw e;
          } finally {
            retry[0] = true;
          }
        });
  }

  /**
   * Scans the ledger from its newest entry back for the receipt of {@code executionId}; a crash can
   * only leave the newest entries unrecorded, so the scan is short in practice.
   */
  @Override
  public synchronized java.util.Optional<IssuedReceipt> find(String executionId) {
    var ledger = log.ledger();
    for (long i = ledger.size() - 1; i >= 0; i--) {
      byte[] envelope = ledger.entry(i);
      try {
        var statement =
            ReceiptStatement.parse(io.quackrunner.receipts.Dsse.parse(envelope).payload());
        if (statement.predicate().executionId().equals(executionId)) {
          return java.util.Optional.of(
              new IssuedReceipt(new String(envelope, StandardCharsets.UTF_8), i));
        }
      } catch (RuntimeException notAReceipt) {
        // an entry that is not a receipt statement cannot be the one sought
      }
    }
    return java.util.Optional.empty();
  }

  private static ReceiptPredicate withFinalStatus(ReceiptPredicate p, RunRecord r) {
    ReceiptPredicate.RunStatus s = ReceiptPredicate.RunStatus.valueOf(r.status().name());
    return new ReceiptPredicate(
            p.containerId(),
            p.triggerHash(),
            p.executionId(),
            ReceiptPredicate.statusOf(s),
            s,
            r.errorDetail(),
            p.artifacts(),
            p.stdout(),
            p.stderr(),
            p.startedAt(),
            p.finishedAt(),
            p.exitCode(),
            p.signal(),
            p.limits(),
            p.resourceUsage(),
            p.tool(),
            p.command(),
            p.environmentFingerprint(),
            p.sandbox(),
            p.runnerVersion(),
            r.errorKind() == null ? null : r.errorKind().slug())
        .withNetwork(p.network())
        .withLockFile(p.lockFile());
  }

  /**
   * The predicate of a run issued from its record alone: one that never executed (cancelled while
   * queued), was cut off (INTERRUPTED), or whose receipt a crash prevented. Whatever the record's
   * stored details hold (artifacts, usage, limits, fingerprint, sandbox) is carried over.
   */
  private static ReceiptPredicate unexecuted(
      RunRecord r, ReceiptPredicate.Tool tool, String runtime) {
    ReceiptPredicate.RunStatus s = ReceiptPredicate.RunStatus.valueOf(r.status().name());
    RunDetails d = Results.read(r);
    Instant started = r.startedAt() != null ? r.startedAt() : r.createdAt();
    Instant finished = r.finishedAt() != null ? r.finishedAt() : Instant.now();
    var fp = d == null ? null : d.fingerprint();
    var sb = d == null ? null : d.sandbox();
    Map<String, Long> limits = new java.util.LinkedHashMap<>();
    if (d != null && d.limits() != null) {
      d.limits()
          .forEach(
              (k, v) -> {
                if (v instanceof Number n) {
                  limits.put(k, n.longValue());
                }
              });
    }
    return new ReceiptPredicate(
        sb == null ? "none#" + r.id() : sb.digest() + "#" + r.id(),
        r.triggerHash(),
        r.id(),
        ReceiptPredicate.statusOf(s),
        s,
        r.errorDetail(),
        d == null || d.artifacts() == null
            ? java.util.List.of()
            : d.artifacts().stream()
                .map(
                    a ->
                        new ReceiptPredicate.Artifact(
                            a.path(),
                            a.mediaType(),
                            a.sizeBytes(),
                            "sha256:" + a.sha256(),
                            Map.of()))
                .toList(),
        stream(d == null ? null : d.stdout()),
        stream(d == null ? null : d.stderr()),
        Executor.rfc3339(started),
        Executor.rfc3339(finished.isBefore(started) ? started : finished),
        r.exitCode(),
        r.signal(),
        limits,
        d == null
            ? new ReceiptPredicate.ResourceUsage(0, 0, 0)
            : new ReceiptPredicate.ResourceUsage(
                d.cpuTimeMs(), d.peakMemoryBytes(), d.wallTimeMs()),
        tool,
        null,
        fp == null
            ? new ReceiptPredicate.EnvironmentFingerprint(
                "linux",
                HostProbe.arch(),
                runtime == null ? "unknown" : runtime,
                "unknown",
                Executor.rfc3339(Instant.now()))
            : new ReceiptPredicate.EnvironmentFingerprint(
                fp.os(), fp.arch(), fp.runtimeType(), fp.runtimeVersion(), fp.generatedAt()),
        sb == null
            ? new ReceiptPredicate.Sandbox("bubblewrap", "unknown", true)
            : new ReceiptPredicate.Sandbox(
                sb.backend(),
                sb.version(),
                sb.isolated(),
                sb.image() == null ? "host" : sb.image(),
                sb.containerDigest()),
        RunnerVersion.get(),
        r.errorKind() == null ? null : r.errorKind().slug());
  }

  private static ReceiptPredicate.StreamDigest stream(LogRef ref) {
    return ref == null
        ? new ReceiptPredicate.StreamDigest(EMPTY_SHA256, 0)
        : new ReceiptPredicate.StreamDigest(ref.sha256(), ref.size(), ref.redactions());
  }
}
