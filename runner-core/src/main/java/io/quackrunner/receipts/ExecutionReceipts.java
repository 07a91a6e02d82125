package io.quackrunner.receipts;

import io.quackrunner.RunnerVersion;
import io.quackrunner.artifacts.Artifact;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.logs.LogDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns an {@link ExecutionResult} into the receipt predicate of SPEC-UBL-RUNNER v1.0 §7. */
public final class ExecutionReceipts {
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private ExecutionReceipts() {}

  /**
   * Builds the predicate of a finished execution.
   *
   * @param r the result
   * @param triggerHash the trigger hash (idempotency key hash) that caused the run
   * @param tool the registered tool that ran, or null for a raw command (then {@code command} is
   *     the argv)
   */
  public static ReceiptPredicate predicate(
      ExecutionResult r, String triggerHash, ReceiptPredicate.Tool tool) {
    List<ReceiptPredicate.Artifact> artifacts =
        r.artifacts().stream().map(ExecutionReceipts::artifact).toList();
    Map<String, Long> limits = new LinkedHashMap<>();
    r.limits()
        .asMap()
        .forEach(
            (k, v) -> {
              if (v instanceof Long l) {
                limits.put(k, l);
              }
            });
    limits.put(
        "network_host", r.limits().network() == io.quackrunner.limits.NetworkMode.HOST ? 1L : 0L);
    limits.put(
        "network_loopback",
        r.limits().network() == io.quackrunner.limits.NetworkMode.NONE ? 0L : 1L);
    if (r.egress() != null) {
      limits.put("network_egress", 1L);
    }
    ReceiptPredicate.RunStatus status = ReceiptPredicate.RunStatus.valueOf(r.status().name());
    var fp = r.fingerprint();
    ReceiptPredicate p =
        new ReceiptPredicate(
            r.sandbox().digest() + "#" + r.executionId(),
            triggerHash,
            r.executionId(),
            ReceiptPredicate.statusOf(status),
            status,
            r.failureReason(),
            artifacts,
            stream(r.stdout()),
            stream(r.stderr()),
            Executor.rfc3339(r.startedAt()),
            Executor.rfc3339(r.finishedAt()),
            r.exitCode(),
            r.signal(),
            limits,
            new ReceiptPredicate.ResourceUsage(r.cpuTimeMs(), r.peakMemoryBytes(), r.wallTimeMs()),
            tool,
            tool == null ? r.argv() : null,
            new ReceiptPredicate.EnvironmentFingerprint(
                fp.os(), fp.arch(), fp.runtimeType(), fp.runtimeVersion(), fp.generatedAt()),
            new ReceiptPredicate.Sandbox(
                r.sandbox().backend(),
                r.sandbox().version(),
                r.sandbox().isolated(),
                r.sandbox().image() == null ? "host" : r.sandbox().image(),
                r.sandbox().containerDigest()),
            RunnerVersion.get(),
            r.errorKind() == null ? null : r.errorKind().slug());
    if (r.egress() != null) {
      p = p.withNetwork(io.quackrunner.egress.EgressSummary.of(r.egress()));
    }
    return r.lockFile() == null ? p : p.withLockFile(r.lockFile());
  }

  private static ReceiptPredicate.Artifact artifact(Artifact a) {
    return new ReceiptPredicate.Artifact(
        a.path(), a.mediaType(), a.sizeBytes(), "sha256:" + a.sha256(), Map.of());
  }

  private static ReceiptPredicate.StreamDigest stream(LogDigest d) {
    return d == null
        ? new ReceiptPredicate.StreamDigest(EMPTY_SHA256, 0)
        : new ReceiptPredicate.StreamDigest(d.sha256(), d.sizeBytes(), d.redactions());
  }
}
