package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contract: info shows runtime and plugin information; version shows the declared tools. */
class InfoAndVersionIT {
  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = new RunnerProcess(work);
    runner.goodIdentity();
  }

  @Test
  void infoShowsRuntimeEnvToolsEnvAndPlugins() {
    runner.etcFile("runtime.env", "RUNNER_USER=runner\nRUNNER_UID=10001\n");
    runner.etcFile(
        "tools.env", "# declared tooling\nTERRAFORM_VERSION=1.9.8\nTFLINT_VERSION=0.53.0\n");
    runner.plugin("terraform", "exit 0");
    runner.plugin("tflint", "exit 0");
    String out = runner.run("info").succeeds().stdout();
    assertThat(out)
        .contains(
            "Runtime ("
                + runner.etc().resolve("runtime.env")
                + "):\n"
                + "  RUNNER_USER=runner\n  RUNNER_UID=10001\n")
        .contains(
            "Tools ("
                + runner.etc().resolve("tools.env")
                + "):\n"
                + "  TERRAFORM_VERSION=1.9.8\n  TFLINT_VERSION=0.53.0\n")
        .contains("Plugins (" + runner.plugins() + "):\n  terraform\n  tflint\n")
        .containsPattern("(?m)^  sandbox\\.backend=bubblewrap$")
        .containsPattern("(?m)^  cgroup\\.mode=(v2|hybrid|v1|none)$")
        .containsPattern("(?m)^  os=linux$");
  }

  @Test
  void infoFailsOnAMalformedRuntimeEnv() {
    runner.etcFile("runtime.env", "RUNNER_USER=runner\nRUNNER_HOME = /home/runner\n");
    runner.run("info").failsWithOneLine(125, runner.etc().resolve("runtime.env") + " line 2: ");
  }

  @Test
  void versionShowsTheRunnerAndTheDeclaredToolVersions() {
    runner.etcFile(
        "tools.env", "TERRAFORM_VERSION=1.9.8\n\n# linters\nTFLINT_VERSION=\"0.53.0\"\n");
    assertThat(runner.run("version").succeeds().stdoutLines())
        .containsExactly(
            "runner " + System.getProperty("quackrunner.version"),
            "TERRAFORM_VERSION=1.9.8",
            "TFLINT_VERSION=0.53.0");
  }

  @Test
  void versionFailsOnAMalformedToolsEnv() {
    runner.etcFile("tools.env", "TERRAFORM_VERSION=1.9.8\nterraform 1.9.8\n");
    runner.run("version").failsWithOneLine(125, runner.etc().resolve("tools.env") + " line 2: ");
  }
}
