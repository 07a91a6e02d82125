package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One trigger, at most one execution: through the real launcher, across real processes. */
class IdempotencyCliIT {
  @TempDir Path work;
  RunnerProcess runner;
  Path state;

  @BeforeEach
  void setUp() {
    runner = RunnerProcess.withState(work);
    state = runner.state();
  }

  @Test
  void twentyProcessesWithOneKeyExecuteOnce() throws Exception {
    List<Process> ps = new ArrayList<>();
    List<Path> outs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Path out = work.resolve("out-" + i + ".txt");
      Path err = work.resolve("err-" + i + ".txt");
      outs.add(out);
      ProcessBuilder pb =
          new ProcessBuilder(
                  RunnerProcess.LAUNCHER.toString(),
                  "exec",
                  "--idempotency-key",
                  "deploy-42",
                  "--",
                  "sh",
                  "-c",
                  "echo ran $RUNNER_EXECUTION_ID; sleep 1")
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      pb.environment().put("RUNNER_STATE_DIR", state.toString());
      ps.add(pb.start());
    }
    int replays = 0;
    List<String> stdouts = new ArrayList<>();
    for (int i = 0; i < ps.size(); i++) {
      // A hang guard, not a speed bound: 20 JVMs on 2 cores took over 120 s at load 54.
      assertThat(ps.get(i).waitFor(600, TimeUnit.SECONDS)).as("process %d finished", i).isTrue();
      String err = Files.readString(work.resolve("err-" + i + ".txt"), StandardCharsets.UTF_8);
      assertThat(ps.get(i).exitValue()).as(err).isZero();
      stdouts.add(Files.readString(outs.get(i), StandardCharsets.UTF_8));
      if (err.contains("nothing was executed")) {
        replays++;
      }
    }
    assertThat(replays).isEqualTo(19);
    assertThat(stdouts).allMatch(s -> s.equals(stdouts.get(0)) && s.startsWith("ran "));
    try (var runs = Files.list(state.resolve("runs"))) {
      assertThat(runs.count()).as("out dirs of executions").isEqualTo(1);
    }
    assertThat(runner.run("ledger", "verify").succeeds().stdout())
        .isEqualTo("ok: 1 entries verified\n");
  }

  @Test
  void theSameRequestWithoutAKeyExecutesEveryTime() {
    var first = runner.run("exec", "--", "sh", "-c", "echo $RUNNER_EXECUTION_ID");
    first.succeeds();
    var again = runner.run("exec", "--", "sh", "-c", "echo $RUNNER_EXECUTION_ID");
    again.succeeds();
    assertThat(again.stdout()).isNotBlank().isNotEqualTo(first.stdout());
    assertThat(again.stderr()).doesNotContain("already ran", "nothing was executed");
    assertThat(runner.run("ledger", "verify").succeeds().stdout())
        .isEqualTo("ok: 2 entries verified\n");
  }

  @Test
  void aKeyRunsOnceAndItsReuseForAnotherRequestExecutesNothing() {
    var keyed =
        runner.run("exec", "--idempotency-key", "k", "--", "sh", "-c", "echo $RUNNER_EXECUTION_ID");
    keyed.succeeds();
    var again =
        runner.run("exec", "--idempotency-key", "k", "--", "sh", "-c", "echo $RUNNER_EXECUTION_ID");
    assertThat(again.exitCode()).isZero();
    assertThat(again.stdout()).isEqualTo(keyed.stdout());
    assertThat(again.stderr())
        .contains("this trigger already ran as run")
        .contains("nothing was executed");
    runner
        .run("exec", "--idempotency-key", "k", "--", "false")
        .failsWithOneLine(125, "idempotency key was already used for a different request");
    assertThat(runner.run("ledger", "verify").succeeds().stdout())
        .isEqualTo("ok: 1 entries verified\n");
  }

  @Test
  void aFailedRunIsReplayedWithItsExitCode() {
    assertThat(runner.run("exec", "--idempotency-key", "f", "--", "sh", "-c", "exit 7").exitCode())
        .isEqualTo(7);
    assertThat(runner.run("exec", "--idempotency-key", "f", "--", "sh", "-c", "exit 7").exitCode())
        .isEqualTo(7);
  }

  @Test
  void aRunCutOffByAKilledRunnerIsInterruptedNotReExecuted() throws Exception {
    Process p = runner.start("exec", "--idempotency-key", "cut", "--", "sleep", "30");
    Path db = state.resolve("runs.db");
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!running(db) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(running(db)).isTrue();
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly().waitFor();
    var after = runner.run("exec", "--idempotency-key", "cut", "--", "sleep", "30");
    assertThat(after.exitCode()).isEqualTo(137);
    assertThat(after.stderr()).contains("(INTERRUPTED)", "nothing was executed");
    assertThat(runner.run("ledger", "verify").succeeds().stdout())
        .isEqualTo("ok: 1 entries verified\n");
  }

  private static boolean running(Path db) throws Exception {
    if (!Files.exists(db)) {
      return false;
    }
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM runs WHERE status = 'RUNNING'")) {
      return rs.next() && rs.getInt(1) == 1;
    } catch (java.sql.SQLException e) {
      return false;
    }
  }
}
