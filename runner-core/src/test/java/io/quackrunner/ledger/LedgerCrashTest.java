package io.quackrunner.ledger;

import static io.quackrunner.ledger.LedgerFixture.ORIGIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM that is appending (SIGKILL, mid-batch) and checks that every acknowledged append
 * survived and the reopened ledger verifies.
 */
class LedgerCrashTest {
  private static final int ACKS_BEFORE_KILL = 300;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedAppendSurvivesKill9() throws Exception {
    Path db = dir.resolve("ledger.db");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LedgerCrashChild.class.getName(),
                db.toString(),
                "4")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Map<Long, Long> acknowledged = new HashMap<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acknowledged.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        String[] parts = line.split(" ");
        acknowledged.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      }
      // SIGKILL while the appenders are mid-batch; the JDK closes our end of its stdout, so only
      // the acks read so far are counted, which is all an acknowledged caller could rely on.
      child.destroyForcibly();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

    TestNoteKey key = new TestNoteKey(ORIGIN);
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), ORIGIN, key)) {
      ledger.checkpoint();
      LedgerVerification v = ledger.verify(List.of(key));
      assertThat(v.ok()).as(v.problem()).isTrue();
      for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
        assertThat(ack.getKey()).isLessThan(ledger.size());
        assertThat(ledger.entry(ack.getKey()))
            .as("entry at acknowledged index %d", ack.getKey())
            .isEqualTo(LedgerFixture.entry(ack.getValue()));
      }
    }
  }
}
