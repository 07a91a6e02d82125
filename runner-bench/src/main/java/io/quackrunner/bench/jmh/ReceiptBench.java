package io.quackrunner.bench.jmh;

import io.quackrunner.receipts.Jcs;
import io.quackrunner.receipts.ReceiptPredicate;
import io.quackrunner.receipts.ReceiptSigner;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.receipts.ReceiptVerifier;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.receipts.VerificationReport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost per receipt of RFC 8785 canonicalization, of DSSE v1.0.2 signing with Ed25519 ({@link
 * ReceiptSigner#sign}: JCS + PAE + signature + canonical envelope), and of verifying the envelope
 * ({@link ReceiptVerifier#verify}, signature and canonical checks). The receipt is realistic: a
 * succeeded run with two artifacts and every predicate field set (about 1.8 KB of JCS).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ReceiptBench {
  private ReceiptStatement statement;
  private byte[] prettyPayload;
  private ReceiptSigner signer;
  private ReceiptVerifier verifier;
  private byte[] envelope;

  /** Builds the receipt, a key, and one signed envelope to verify. */
  @Setup(Level.Trial)
  public void setUp() {
    statement = ReceiptStatement.of(predicate());
    prettyPayload = statement.toJson().toPrettyString().getBytes(StandardCharsets.UTF_8);
    SigningKey key = SigningKey.generate("bench.quackrunner/receipts");
    signer = new ReceiptSigner(key);
    verifier = new ReceiptVerifier(List.of(key.verifierKey()));
    envelope = signer.sign(statement);
    if (!verifier.verify(envelope, null, null).ok()) {
      throw new IllegalStateException("the benchmark's own receipt does not verify");
    }
  }

  /** Serializes the statement to RFC 8785 canonical JSON. */
  @Benchmark
  public byte[] jcsFromStatement() {
    return statement.canonicalJson();
  }

  /** Parses indented JSON strictly and writes it canonically ({@code Jcs.canonicalize(byte[])}). */
  @Benchmark
  public byte[] jcsFromBytes() {
    return Jcs.canonicalize(prettyPayload);
  }

  /** Canonicalizes, signs (Ed25519 over PAE) and writes the envelope: one whole receipt. */
  @Benchmark
  public byte[] signReceipt() {
    return signer.sign(statement);
  }

  /** Verifies one envelope: strict DSSE parse, Ed25519 over PAE, canonical payload, statement. */
  @Benchmark
  public VerificationReport verifyReceipt() {
    return verifier.verify(envelope, null, null);
  }

  /** The realistic receipt the benchmarks sign: two artifacts, every predicate field set. */
  static ReceiptPredicate predicate() {
    byte[] pdf = "%PDF-1.7 rendered report".getBytes(StandardCharsets.UTF_8);
    byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
    byte[] out = "rendered 3 pages\n".getBytes(StandardCharsets.UTF_8);
    return new ReceiptPredicate(
        "sbx-7c0e5d8a-2f4b-4c1e-9a77-1f3e0b9d6c21",
        "sha256:" + sha256("trigger 42".getBytes(StandardCharsets.UTF_8)),
        "7c0e5d8a-2f4b-4c1e-9a77-1f3e0b9d6c21",
        "Success",
        ReceiptPredicate.RunStatus.SUCCEEDED,
        null,
        List.of(
            new ReceiptPredicate.Artifact(
                "data/table.csv",
                "text/csv",
                csv.length,
                "sha256:" + sha256(csv),
                Map.of("role", "output")),
            new ReceiptPredicate.Artifact(
                "report.pdf",
                "application/pdf",
                pdf.length,
                "sha256:" + sha256(pdf),
                Map.of("role", "output", "pages", "3"))),
        new ReceiptPredicate.StreamDigest(sha256(out), out.length),
        new ReceiptPredicate.StreamDigest(sha256(new byte[0]), 0),
        "2025-12-25T10:00:00.000125Z",
        "2025-12-25T10:00:01.250375Z",
        0,
        null,
        Map.of(
            "wall_time_ms", 30_000L,
            "cpu_time_ms", 30_000L,
            "memory_bytes", 536_870_912L,
            "pids", 64L,
            "output_bytes", 16_777_216L),
        new ReceiptPredicate.ResourceUsage(820, 48_234_496, 1250),
        new ReceiptPredicate.Tool("pdf-render", "1.4.2", "sha256:" + sha256(new byte[] {1})),
        null,
        new ReceiptPredicate.EnvironmentFingerprint(
            "linux 6.1.0", "x86_64", "python", "3.11.2", "2025-12-25T10:00:00.000125Z"),
        new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true),
        "0.1.0",
        null);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
