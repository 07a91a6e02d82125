package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.sandbox.Workspace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Killing the runner with SIGKILL kills its sandbox too (pdeathsig + --die-with-parent). */
class RunnerDeathIT {
  @Test
  void theSandboxDiesWithTheRunner() throws Exception {
    String marker = "62.4" + (System.nanoTime() % 1000);
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    SandboxChild.class.getName(),
                    marker))
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    Path childState = null;
    while ((line = out.readLine()) != null && !line.equals("started")) {
      if (line.startsWith("state ")) {
        childState = Path.of(line.substring("state ".length()));
      }
    }
    assertThat(line).isEqualTo("started");
    assertThat(AttackIT.alive(marker)).hasSizeGreaterThanOrEqualTo(2);
    child.destroyForcibly().waitFor();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!AttackIT.alive(marker).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(AttackIT.alive(marker)).as("sandbox processes after the runner died").isEmpty();
    // The dead runner's workspace (two tmpfs mounts) is what recovery removes; here the test does.
    assertThat(childState).isNotNull();
    try (var left = Files.list(childState.resolve("sandboxes"))) {
      for (Path ws : left.toList()) {
        assertThat(Workspace.discard(childState.resolve("sandboxes"), ws.getFileName().toString()))
            .isTrue();
      }
    }
  }
}
