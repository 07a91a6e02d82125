package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * How a run's end is named from bubblewrap's status objects and the cgroup counters, whatever the
 * watchdog saw: on cgroup v2, {@code memory.oom.group} kills bubblewrap with the command, so an OOM
 * kill leaves no exit code and the 10 ms poll may have missed it (issue 18: "the sandbox did not
 * start the command: (no message)" for an OOM run in a 6.1 VM).
 */
class RunEndingTest {
  private static final String STARTED =
      "{ \"child-pid\": 11678, \"mnt-namespace\": 4026532177, \"pid-namespace\": 4026532179 }\n";
  private static final CgroupUsage QUIET = new CgroupUsage(1 << 20, 5_000_000, 0, 0);
  private static final CgroupUsage OOM = new CgroupUsage(64 << 20, 90_000_000, 1, 0);

  private static RunEnding.Status status(String json) throws Exception {
    return RunEnding.Status.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static RunEnding decide(RunEnding.Status s, LimitKind breach, CgroupUsage u) {
    return RunEnding.decide(s, breach, false, u, 60_000, () -> null, () -> "bwrap: some message");
  }

  @Test
  void statusObjectsGiveTheExitCodeOnlyOnceTheCommandStarted() throws Exception {
    assertThat(status(STARTED + "{ \"exit-code\": 3 }\n")).isEqualTo(new RunEnding.Status(true, 3));
    assertThat(status(STARTED)).isEqualTo(new RunEnding.Status(true, null));
    // killed while writing the exit object: the cut-off object carries no exit code
    assertThat(status(STARTED + "{ \"exit-co")).isEqualTo(new RunEnding.Status(true, null));
    assertThat(status("")).isEqualTo(RunEnding.Status.NONE);
  }

  @Test
  void aGroupOomKillTheWatchdogMissedIsTheMemoryLimit() throws Exception {
    RunEnding e = decide(status(STARTED), null, OOM);
    assertThat(e.limit()).isEqualTo(LimitKind.MEMORY);
    assertThat(e.exitCode()).isNull();
    assertThat(e.signal()).isEqualTo(RunEnding.SIGKILL);
  }

  @Test
  void anOomKillBeforeTheCommandStartedIsTheMemoryLimitToo() {
    // a limit too small for the sandbox's own set-up is still the caller's memory limit
    RunEnding e = decide(RunEnding.Status.NONE, null, OOM);
    assertThat(e.limit()).isEqualTo(LimitKind.MEMORY);
    assertThat(e.signal()).isEqualTo(RunEnding.SIGKILL);
  }

  @Test
  void aRefusedForkBeforeTheCommandStartedIsThePidsLimit() {
    RunEnding e = decide(RunEnding.Status.NONE, null, new CgroupUsage(1 << 20, 1_000_000, 0, 1));
    assertThat(e.limit()).isEqualTo(LimitKind.PIDS);
  }

  @Test
  void noExitCodeAndNothingCountedIsAnInternalErrorThatSaysWhich() throws Exception {
    assertThatThrownBy(() -> decide(RunEnding.Status.NONE, null, QUIET))
        .isInstanceOfSatisfying(
            RunnerException.class, r -> assertThat(r.kind()).isEqualTo(ErrorKind.EXECUTION_FAILED))
        .hasMessage("the sandbox did not start the command: bwrap: some message");
    RunEnding.Status started = status(STARTED);
    assertThatThrownBy(() -> decide(started, null, QUIET))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("killed before the command's exit was reported");
  }

  @Test
  void theRunnersOwnStopWinsAndACancelIsNoError() throws Exception {
    assertThat(decide(status(STARTED), LimitKind.WALL_TIME, OOM).limit())
        .isEqualTo(LimitKind.WALL_TIME);
    RunEnding c =
        RunEnding.decide(status(STARTED), null, true, QUIET, 60_000, () -> null, () -> "");
    assertThat(c.limit()).isNull();
    assertThat(c.signal()).isEqualTo(RunEnding.SIGKILL);
  }

  @Test
  void anExitedCommandIsNamedByCountersThenSignalsThenFullDirectories() throws Exception {
    assertThat(decide(status(STARTED + "{ \"exit-code\": 137 }"), null, OOM))
        .isEqualTo(new RunEnding(137, 9, LimitKind.MEMORY));
    assertThat(decide(status(STARTED + "{ \"exit-code\": 153 }"), null, QUIET))
        .isEqualTo(new RunEnding(153, 25, LimitKind.FILE_SIZE));
    assertThat(decide(status(STARTED + "{ \"exit-code\": 152 }"), null, QUIET))
        .isEqualTo(new RunEnding(152, 24, LimitKind.CPU_TIME));
    assertThat(
            RunEnding.decide(
                status(STARTED + "{ \"exit-code\": 1 }"),
                null,
                false,
                QUIET,
                60_000,
                () -> LimitKind.OUT_DIR,
                () -> ""))
        .isEqualTo(new RunEnding(1, null, LimitKind.OUT_DIR));
    assertThat(decide(status(STARTED + "{ \"exit-code\": 0 }"), null, QUIET))
        .isEqualTo(new RunEnding(0, null, null));
  }
}
