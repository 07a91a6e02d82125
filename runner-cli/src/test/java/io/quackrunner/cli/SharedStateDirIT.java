package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many {@code runner exec} processes on one fresh state directory at once (DESIGN invariant 2 in
 * the documented multi-process setup): every execution gets its receipt, appended to one ledger
 * that verifies, and no trigger runs twice.
 */
class SharedStateDirIT {
  private static final int ROUNDS = 5;
  private static final int PROCESSES = 20;
  private static final int KEYS_PER_ROUND = 3;
  private static final int PROCESSES_PER_KEY = 4;

  @TempDir Path work;

  @Test
  void fiveRoundsOfTwentyProcessesKeyedAndUnkeyedEachGetOneReceipt() throws Exception {
    RunnerProcess runner = RunnerProcess.withState(work);
    Path state = runner.state();
    int unkeyedPerRound = PROCESSES - KEYS_PER_ROUND * PROCESSES_PER_KEY;
    Set<String> executions = new HashSet<>();
    int replays = 0;
    List<String> lastRound = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      List<Process> ps = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < PROCESSES; i++) {
        List<String> args = new ArrayList<>(List.of(RunnerProcess.LAUNCHER.toString(), "exec"));
        String label;
        if (i < unkeyedPerRound) {
          // a distinct command: a distinct trigger whether or not the request is the trigger
          label = "u-" + round + "-" + i;
        } else {
          label = "k-" + round + "-" + (i - unkeyedPerRound) % KEYS_PER_ROUND;
          args.addAll(List.of("--idempotency-key", label));
        }
        args.addAll(List.of("--", "sh", "-c", "echo " + label + " $RUNNER_EXECUTION_ID"));
        labels.add(label);
        ProcessBuilder pb =
            new ProcessBuilder(args)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(work.resolve("out-" + round + "-" + i).toFile())
                .redirectError(work.resolve("err-" + round + "-" + i).toFile());
        pb.environment().put("RUNNER_STATE_DIR", state.toString());
        ps.add(pb.start());
      }
      Map<String, String> executionOfLabel = new HashMap<>();
      Set<String> executed = new HashSet<>();
      for (int i = 0; i < PROCESSES; i++) {
        assertThat(ps.get(i).waitFor(900, TimeUnit.SECONDS)).as("process %d finished", i).isTrue();
        String out = read(work.resolve("out-" + round + "-" + i));
        String err = read(work.resolve("err-" + round + "-" + i));
        assertThat(ps.get(i).exitValue()).as("round %d process %d: %s", round, i, err).isZero();
        // the last line: a loaded host's JVM may print an hsperfdata warning before it
        List<String> lines = out.strip().lines().toList();
        String[] words = lines.get(lines.size() - 1).split(" ");
        assertThat(words).as("stdout of round %d process %d", round, i).hasSize(2);
        assertThat(words[0]).isEqualTo(labels.get(i));
        String before = executionOfLabel.putIfAbsent(labels.get(i), words[1]);
        if (before != null) {
          // processes with one key all report the one execution
          assertThat(words[1]).as("execution of %s", labels.get(i)).isEqualTo(before);
        }
        if (err.contains("nothing was executed")) {
          replays++;
        } else {
          assertThat(err).as("stderr of round %d process %d", round, i).isEmpty();
          assertThat(executed.add(labels.get(i))).as("%s executed twice", labels.get(i)).isTrue();
        }
      }
      assertThat(executed)
          .as("labels executed in round %d", round)
          .hasSize(executionOfLabel.size());
      assertThat(executionOfLabel).hasSize(unkeyedPerRound + KEYS_PER_ROUND);
      executions.addAll(executionOfLabel.values());
      lastRound = List.copyOf(executionOfLabel.values());
    }
    int expected = ROUNDS * (unkeyedPerRound + KEYS_PER_ROUND);
    assertThat(executions).hasSize(expected);
    assertThat(replays).isEqualTo(ROUNDS * KEYS_PER_ROUND * (PROCESSES_PER_KEY - 1));
    try (var runs = Files.list(state.resolve("runs"))) {
      assertThat(runs.map(p -> p.getFileName().toString()).toList())
          .as("one out directory per execution, no trigger executed twice")
          .containsExactlyInAnyOrderElementsOf(executions);
    }
    for (String id : executions) {
      Path reports = state.resolve("runs").resolve(id).resolve("reports");
      assertThat(reports.resolve("receipt.dsse.json")).as("receipt of %s", id).isNotEmptyFile();
      assertThat(reports.resolve("inclusion.json")).as("inclusion proof of %s", id).exists();
      assertThat(reports.resolve("checkpoint.txt")).as("checkpoint of %s", id).exists();
    }
    assertThat(runner.run("ledger", "verify").succeeds().stdout())
        .isEqualTo("ok: " + expected + " entries verified\n");
    for (String id : lastRound) {
      Path out = state.resolve("runs").resolve(id);
      var v =
          runner.run(
              "verify",
              out.resolve("reports/receipt.dsse.json").toString(),
              "--ledger",
              state.toString(),
              "--artifacts",
              out.toString());
      assertThat(v.exitCode()).as("online verification of %s: %s", id, v.stdout()).isZero();
    }
  }

  private static String read(Path p) throws java.io.IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
