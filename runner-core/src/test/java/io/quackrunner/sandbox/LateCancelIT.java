package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.limits.LimitsRequest;
import org.junit.jupiter.api.Test;

/**
 * A cancel that arrives after its run's sandbox ended (RunService repeats the kill until the run's
 * record is final) must not reach the slot's next holder: with one slot, the next run is in the
 * very cgroup the late kill would empty.
 */
class LateCancelIT {
  @Test
  void aCancelAfterTheSandboxEndedLeavesTheNextRunInItsSlotAlone() throws Exception {
    SandboxHarness h = new SandboxHarness(true, 1);
    LimitsRequest none = new LimitsRequest(null, null, null, null, null, null, null, null, null);
    BubblewrapSandbox.Execution first = h.start(SandboxHarness.limits(none), "true");
    try (var ws = first.await().workspace()) {
      // the first run is over and its slot is free
    }
    BubblewrapSandbox.Execution second =
        h.start(SandboxHarness.limits(none), "sh", "-c", "sleep 1; echo survived");
    Thread.sleep(300); // the second run is inside slot 0 now
    first.cancel();
    SandboxOutcome o = second.await();
    try (var ws = o.workspace()) {
      assertThat(o.breached()).isNull();
      assertThat(o.exitCode()).isZero();
      assertThat(SandboxHarness.stdout(o)).isEqualTo("survived\n");
    }
  }
}
