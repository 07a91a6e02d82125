package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Receipts end to end through the real launcher: {@code runner exec} signs one, {@code runner
 * verify} and an independent verifier written from the specifications accept it, and every kind of
 * tampering is caught and named.
 */
class ReceiptsCliIT {
  @TempDir Path work;
  RunnerProcess runner;
  Path state;

  @BeforeEach
  void setUp() {
    runner = RunnerProcess.withState(work);
    state = runner.state();
  }

  private Path exec(String name, String script) {
    Path out = work.resolve(name);
    runner.run("exec", "--out-dir", out.toString(), "--", "sh", "-c", script).succeeds();
    return out;
  }

  private String key() {
    return runner.run("keys", "show").succeeds().stdout().trim();
  }

  private RunnerProcess.Result verifyOffline(Path out, String key) {
    return runner.run(
        "verify",
        out.resolve("reports/receipt.dsse.json").toString(),
        "--artifacts",
        out.toString(),
        "--key",
        key,
        "--checkpoint",
        out.resolve("reports/checkpoint.txt").toString(),
        "--proof",
        out.resolve("reports/inclusion.json").toString());
  }

  @Test
  void aReceiptFromExecVerifiesOfflineOnlineAndIndependently() throws Exception {
    Path out = exec("run1", "echo 'ünïcödé' > $OUT_DIR/a.txt; echo done");
    String key = key();
    assertThat(key).matches("quackrunner\\.local/[0-9a-f]{8}\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]{44}");
    var offline = verifyOffline(out, key);
    assertThat(offline.exitCode()).as(offline.stdout() + offline.stderr()).isZero();
    assertThat(offline.stdout())
        .contains(
            "PASS signature",
            "PASS canonical",
            "PASS artifacts",
            "PASS inclusion",
            "SKIP consistency");
    var online =
        runner.run(
            "verify",
            out.resolve("reports/receipt.dsse.json").toString(),
            "--ledger",
            state.toString(),
            "--artifacts",
            out.toString());
    assertThat(online.exitCode()).as(online.stdout()).isZero();

    String pyOut = independentlyVerified(out, key);
    assertThat(pyOut).doesNotContain("FAIL").contains("PASS inclusion");
  }

  @Test
  void theIndependentVerifierReadsKeysWhoseBase64HoldsAPlus() throws Exception {
    String key = key();
    for (int i = 0; i < 40 && !key.split("\\+", 3)[2].contains("+"); i++) {
      key = runner.run("keys", "rotate").succeeds().stdout().trim();
    }
    assertThat(key.split("\\+", 3)[2]).as("a key whose base64 holds '+'").contains("+");
    Path out = exec("plus", "echo plus > $OUT_DIR/p.txt");
    independentlyVerified(out, key);
  }

  @Test
  void failuresGetReceiptsToo() throws Exception {
    Path out = work.resolve("failed");
    var r =
        runner.run("exec", "--out-dir", out.toString(), "--timeout", "300ms", "--", "sleep", "10");
    assertThat(r.exitCode()).isEqualTo(124);
    String payload = payloadOf(out.resolve("reports/receipt.dsse.json"));
    assertThat(payload).contains("\"run_status\":\"TIMED_OUT\"", "\"status\":\"Failure\"");
    assertThat(verifyOffline(out, key()).exitCode()).isZero();
  }

  @Test
  void tamperingIsCaughtAndNamed() throws Exception {
    Path out = exec("run2", "echo data > $OUT_DIR/a.txt");
    String key = key();
    Path receipt = out.resolve("reports/receipt.dsse.json");
    byte[] original = Files.readAllBytes(receipt);

    // An artifact changed after the run.
    Files.writeString(out.resolve("a.txt"), "DATA\n");
    var artifact = verifyOffline(out, key);
    assertThat(artifact.exitCode()).isEqualTo(3);
    assertThat(artifact.stderr()).contains("verification failed: artifacts: a.txt");
    Files.writeString(out.resolve("a.txt"), "data\n");

    // One byte of the stored receipt flipped (inside the base64 payload).
    byte[] flipped = original.clone();
    int at = new String(original, StandardCharsets.US_ASCII).indexOf("\"payload\":\"") + 40;
    flipped[at] = (byte) (flipped[at] == 'A' ? 'B' : 'A');
    Files.write(receipt, flipped);
    var sig = verifyOffline(out, key);
    assertThat(sig.exitCode()).isEqualTo(1);
    assertThat(sig.stderr()).contains("verification failed: signature");
    Files.write(receipt, original);

    // Another key substituted for the runner's.
    runner.run("keys", "rotate").succeeds();
    String otherKey = key().lines().findFirst().orElseThrow();
    assertThat(otherKey).isNotEqualTo(key);
    assertThat(verifyOffline(out, otherKey).exitCode()).isEqualTo(1);
    // ... while the retired key, kept by the ledger, still verifies the old receipt.
    var afterRotation =
        runner.run(
            "verify",
            receipt.toString(),
            "--ledger",
            state.toString(),
            "--artifacts",
            out.toString());
    assertThat(afterRotation.exitCode()).as(afterRotation.stdout()).isZero();

    // A receipt the ledger never saw.
    Path other = work.resolve("otherstate");
    Files.createDirectories(other);
    var notIn =
        runner.run("verify", receipt.toString(), "--ledger", other.toString(), "--key", key);
    assertThat(notIn.exitCode()).isEqualTo(4);
    assertThat(notIn.stderr()).contains("verification failed: inclusion");
  }

  @Test
  void aLedgerRowFlippedIsNamedByLedgerVerify() throws Exception {
    exec("a", "true");
    exec("b", "echo b");
    exec("c", "echo c");
    runner.run("ledger", "verify").succeeds();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + state.resolve("ledger/ledger.db"));
        Statement s = c.createStatement()) {
      List<String> triggers = new ArrayList<>();
      try (var rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'trigger'")) {
        while (rs.next()) {
          triggers.add(rs.getString(1));
        }
      }
      for (String t : triggers) {
        s.execute("DROP TRIGGER " + t);
      }
      // Flip one byte inside the stored envelope of entry 1, as a disk or an attacker might.
      s.execute(
          "UPDATE entries SET entry = CAST(substr(entry, 1, 40) || CASE WHEN substr(entry, 41, 1) = 'A'"
              + " THEN 'B' ELSE 'A' END || substr(entry, 42) AS BLOB) WHERE idx = 1");
    }
    runner.run("ledger", "verify").failsWithOneLine(1, "entry 1");
  }

  @Test
  void consistencyWithAnEarlierCheckpoint() throws Exception {
    exec("first", "echo 1");
    Path earlier = work.resolve("earlier.txt");
    Files.writeString(earlier, runner.run("ledger", "checkpoint").succeeds().stdout());
    Path out = exec("second", "echo 2 > $OUT_DIR/two");
    var ok =
        runner.run(
            "verify",
            out.resolve("reports/receipt.dsse.json").toString(),
            "--ledger",
            state.toString(),
            "--earlier",
            earlier.toString());
    assertThat(ok.exitCode()).as(ok.stdout() + ok.stderr()).isZero();
    assertThat(ok.stdout()).contains("PASS consistency");
    var proof = runner.run("ledger", "consistency", "--from", "1", "--to", "2").succeeds();
    assertThat(proof.stdout()).startsWith("{\"from_size\":1,\"to_size\":2,\"hashes\":[");
  }

  /** Runs tools/verify_receipt.py on a run's bundle; asserts it passed and returns its output. */
  private static String independentlyVerified(Path out, String key) throws Exception {
    Process py =
        new ProcessBuilder(
                "/usr/bin/python3",
                RunnerProcess.HOME.resolve("tools/verify_receipt.py").toString(),
                out.resolve("reports/receipt.dsse.json").toString(),
                key,
                out.resolve("reports/checkpoint.txt").toString(),
                out.resolve("reports/inclusion.json").toString(),
                out.toString())
            .redirectErrorStream(true)
            .start();
    String pyOut = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(py.waitFor()).as(pyOut).isZero();
    return pyOut;
  }

  private static String payloadOf(Path envelope) throws Exception {
    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(envelope.toFile());
    return new String(
        java.util.Base64.getDecoder().decode(node.get("payload").asText()), StandardCharsets.UTF_8);
  }
}
