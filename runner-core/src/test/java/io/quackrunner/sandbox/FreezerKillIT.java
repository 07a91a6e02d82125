package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.LimitsRequest;
import org.junit.jupiter.api.Test;

/** The cgroup v1 kill path (freezer, no cgroup2 cgroup.kill) still leaves nothing behind. */
class FreezerKillIT {
  @Test
  void aTimedOutSandboxIsEmptiedThroughTheFreezer() throws Exception {
    SandboxHarness h = new SandboxHarness(false);
    LimitsRequest wall = new LimitsRequest(500L, null, null, null, null, null, null, null, null);
    SandboxOutcome o =
        h.run(
            SandboxHarness.limits(wall),
            null,
            "sh",
            "-c",
            "for i in 1 2 3 4; do (while :; do :; done) & done; wait");
    try (var ws = o.workspace()) {
      assertThat(o.breached()).isEqualTo(LimitKind.WALL_TIME);
      assertThat(o.exitCode()).isNull();
      assertThat(o.signal()).isEqualTo(9);
      assertThat(o.usage().cpuTimeNanos()).isGreaterThan(100_000_000L);
    }
  }

  @Test
  void theModeIsDetected() throws Exception {
    SandboxHarness h = new SandboxHarness(false);
    assertThat(h.sandbox.cgroupMode()).isIn(CgroupMode.V2, CgroupMode.HYBRID, CgroupMode.V1);
  }
}
