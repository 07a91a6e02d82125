package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contract: the six core commands exist and are handled by the runner itself. */
class CoreCommandsIT {
  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = new RunnerProcess(work);
    runner.goodIdentity();
  }

  @Test
  void helpListsEveryCoreCommand() {
    var r = runner.run("help").succeeds();
    assertThat(r.stdout())
        .contains("Core commands:")
        .containsPattern("(?m)^  help +Display available commands$")
        .containsPattern("(?m)^  about +Display image identity$")
        .containsPattern("(?m)^  info +Display runtime and plugin information$")
        .containsPattern("(?m)^  exec +Execute a system command explicitly$")
        .containsPattern("(?m)^  shell +Start an interactive shell \\(human use only\\)$")
        .containsPattern("(?m)^  version +Display available tool versions$");
  }

  @Test
  void helpForOneCommandShowsItsUsage() {
    assertThat(runner.run("help", "about").succeeds().stdout()).startsWith("Usage: runner about");
  }

  @Test
  void helpForAnUnknownCommandFails() {
    runner.run("help", "ls").failsWithOneLine(125, "unknown command 'ls'");
  }

  @Test
  void aboutPrintsTheIdentity() {
    assertThat(runner.run("about").succeeds().stdoutLines())
        .containsExactly("RUNNER_IMAGE=runner-base", "RUNNER_DOMAIN=base", "RUNNER_ROLE=runtime");
  }

  @Test
  void infoPrintsRuntimeToolsPluginsAndHost() {
    var r = runner.run("info").succeeds();
    assertThat(r.stdout())
        .contains("Runtime (" + runner.etc().resolve("runtime.env") + "): not present")
        .contains("Tools (" + runner.etc().resolve("tools.env") + "): not present")
        .contains("Plugins (" + runner.plugins() + "): none")
        .contains("  sandbox.backend=", "  sandbox.version=", "  cgroup.mode=", "  kernel=")
        .contains("  cgroup.root=/sys/fs/cgroup", "  cgroup.controllers=", "  cgroup.features=")
        .containsPattern("  cgroup\\.favordynmods=(on|off|none)\n")
        .contains("cgroup.kill=")
        .contains("  jdk=25");
  }

  @Test
  void versionPrintsTheRunnerVersion() {
    assertThat(runner.run("version").succeeds().stdoutLines())
        .containsExactly("runner " + System.getProperty("quackrunner.version"));
  }

  /**
   * exec and shell belong to another part of the CLI; here only their dispatch is checked: they are
   * core commands (never "unknown") and never reach a plugin of the same name.
   */
  @ParameterizedTest
  @ValueSource(strings = {"exec", "shell"})
  void execAndShellAreCoreCommands(String name) {
    runner.plugin(name, "touch '" + runner.marker(name) + "'");
    var r = runner.run(name, "true");
    assertThat(r.stderr()).doesNotContain("unknown command");
    assertThat(runner.marker(name)).doesNotExist();
  }
}
