package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.execution.LimitsRequest;
import org.junit.jupiter.api.Test;

class SandboxSmokeIT {
  @Test
  void runsACommandAsTheSandboxUser() throws Exception {
    SandboxHarness h = new SandboxHarness();
    SandboxOutcome o =
        h.run(
            SandboxHarness.limits(LimitsRequest.DEFAULTS),
            null,
            "sh",
            "-c",
            "id; echo err >&2; exit 3");
    try (var ws = o.workspace()) {
      System.out.println(SandboxHarness.stdout(o) + SandboxHarness.stderr(o) + o);
      assertThat(o.exitCode()).isEqualTo(3);
      assertThat(SandboxHarness.stdout(o)).contains("uid=1000(sandbox)");
    }
  }
}
