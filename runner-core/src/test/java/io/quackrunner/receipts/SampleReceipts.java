package io.quackrunner.receipts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Builds realistic receipt predicates for tests and the benchmark. */
public final class SampleReceipts {
  private SampleReceipts() {}

  /** Returns lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns a succeeded run's predicate with the given artifacts (path → content). */
  public static ReceiptPredicate succeeded(String executionId, Map<String, byte[]> files) {
    List<ReceiptPredicate.Artifact> artifacts =
        files.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(
                e ->
                    new ReceiptPredicate.Artifact(
                        e.getKey(),
                        "application/octet-stream",
                        e.getValue().length,
                        "sha256:" + sha256(e.getValue()),
                        Map.of("role", "output")))
            .toList();
    byte[] out = "rendered 3 pages\n".getBytes(StandardCharsets.UTF_8);
    return new ReceiptPredicate(
        "sbx-" + executionId,
        "sha256:" + sha256(("trigger " + executionId).getBytes(StandardCharsets.UTF_8)),
        executionId,
        "Success",
        ReceiptPredicate.RunStatus.SUCCEEDED,
        null,
        artifacts,
        new ReceiptPredicate.StreamDigest(sha256(out), out.length),
        new ReceiptPredicate.StreamDigest(sha256(new byte[0]), 0),
        "2025-12-25T10:00:00Z",
        "2025-12-25T10:00:01.250Z",
        0,
        null,
        Map.of("wall_time_ms", 30_000L, "memory_bytes", 536_870_912L, "pids", 64L),
        new ReceiptPredicate.ResourceUsage(820, 48_234_496, 1250),
        new ReceiptPredicate.Tool("pdf-render", "1.4.2", "sha256:" + sha256(new byte[] {1})),
        null,
        new ReceiptPredicate.EnvironmentFingerprint(
            "linux 6.1.0", "amd64", "python", "3.12.7", "2025-12-25T10:00:00Z"),
        new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true),
        "0.1.0",
        null);
  }
}
