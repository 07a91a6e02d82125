package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Contract: plugins run only by exact name, never instead of a core command. */
class PluginDispatchIT {
  private static final String PRINT_ARGS = "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done";

  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = new RunnerProcess(work);
    runner.goodIdentity();
  }

  @Test
  void aPluginRunsByItsExactNameWithItsArgumentsUnchanged() {
    runner.plugin("terraform", PRINT_ARGS);
    var r =
        runner.run("terraform", "version", "two words", "", "--help", "-x", "*", "$HOME", "über");
    r.succeeds();
    assertThat(r.stdout())
        .isEqualTo("[version]\n[two words]\n[]\n[--help]\n[-x]\n[*]\n[$HOME]\n[über]\n");
  }

  @ParameterizedTest
  @CsvSource({"exit 0, 0", "exit 1, 1", "exit 42, 42", "exit 125, 125", "exit 255, 255"})
  void theExitCodeIsPassedThrough(String script, int expected) {
    runner.plugin("tool", script);
    assertThat(runner.run("tool").exitCode()).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"TERM, 143", "KILL, 137"})
  void aPluginKilledBySignalNYields128PlusN(String signal, int expected) {
    runner.plugin("tool", "kill -" + signal + " $$");
    assertThat(runner.run("tool").exitCode()).isEqualTo(expected);
  }

  @Test
  void stdinStdoutAndStderrAreTheCallers() {
    runner.plugin("tool", "cat; echo to-stderr >&2; exit 3");
    var r = runner.stdin("from stdin\n").run("tool");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stdout()).isEqualTo("from stdin\n");
    assertThat(r.stderr()).isEqualTo("to-stderr\n");
  }

  @Test
  void theWorkingDirectoryIsTheCallers() {
    runner.plugin("tool", "pwd -P");
    assertThat(runner.run("tool").succeeds().stdout().strip())
        .isEqualTo(work.toAbsolutePath().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"help", "about", "info", "exec", "shell", "version"})
  void aPluginNamedLikeACoreCommandIsNeverRun(String name) {
    runner.plugin(name, "touch '" + runner.marker(name) + "'");
    runner.run(name);
    assertThat(runner.marker(name)).doesNotExist();
  }

  @Test
  void helpAndInfoMarkAShadowedPlugin() {
    runner.plugin("help", "exit 0");
    runner.plugin("kubectl", "exit 0");
    String help = runner.run("help").succeeds().stdout();
    String info = runner.run("info").succeeds().stdout();
    for (String out : new String[] {help, info}) {
      assertThat(out)
          .contains("Plugins (" + runner.plugins() + "):")
          .containsPattern("(?m)^  help +\\(shadowed by the core command; never run\\)$")
          .containsPattern("(?m)^  kubectl$");
    }
  }

  @Test
  void aNonExecutableFileIsNotAPlugin() throws Exception {
    RunnerProcess.write(runner.plugins().resolve("tool"), "#!/bin/sh\nexit 0\n", "rw-r--r--");
    runner.run("tool").failsWithOneLine(125, "unknown command 'tool'");
    assertThat(runner.run("help").succeeds().stdout()).doesNotContainPattern("(?m)^  tool$");
  }

  @Test
  void aDirectoryIsNotAPlugin() throws Exception {
    Files.createDirectory(runner.plugins().resolve("tool"));
    runner.run("tool").failsWithOneLine(125, "unknown command 'tool'");
  }

  @Test
  void aBadlyNamedExecutableIsNotAPlugin() {
    runner.plugin("Tool", "exit 0");
    runner.plugin("_tool", "exit 0");
    runner.run("Tool").failsWithOneLine(125, "unknown command 'Tool'");
    runner.run("_tool").failsWithOneLine(125, "unknown command '_tool'");
    assertThat(runner.run("help").succeeds().stdout())
        .contains("Plugins (" + runner.plugins() + "): none");
  }

  @Test
  void aPathIsNeverAPluginName() {
    runner.plugin("tool", "exit 0");
    Path outside = runner.plugin("../outside", "exit 0");
    assertThat(outside).exists();
    runner.run("../outside").failsWithOneLine(125, "unknown command '../outside'");
    runner.run("./tool").failsWithOneLine(125, "unknown command './tool'");
    runner
        .run(runner.plugins().resolve("tool").toString())
        .failsWithOneLine(125, "unknown command");
  }

  @Test
  void aSymbolicLinkToAnExecutableIsAPlugin() throws Exception {
    Path target =
        RunnerProcess.write(work.resolve("real-tool"), "#!/bin/sh\necho linked\n", "rwxr-xr-x");
    Files.createSymbolicLink(runner.plugins().resolve("tool"), target);
    assertThat(runner.run("tool").succeeds().stdout()).isEqualTo("linked\n");
  }

  @Test
  void aPluginThatCannotStartFailsWith126() {
    RunnerProcess.write(
        runner.plugins().resolve("tool"), "#!/nonexistent/interpreter\n", "rwxr-xr-x");
    runner.run("tool").failsWithOneLine(126, "plugin 'tool' could not be started");
  }

  @Test
  void terminatingTheRunnerTerminatesThePlugin() throws Exception {
    Path pidFile = work.resolve("plugin.pid");
    runner.plugin(
        "slow",
        "echo $$ > '"
            + pidFile
            + ".tmp'; mv '"
            + pidFile
            + ".tmp' '"
            + pidFile
            + "'; exec sleep 300");
    Process process = runner.start("slow");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(pidFile) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    process.destroy(); // SIGTERM to the runner's JVM, which bin/runner exec'd
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(143);
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void aMissingPluginDirectoryMeansNoPlugins() {
    runner.env("RUNNER_PLUGINS", work.resolve("absent").toString());
    assertThat(runner.run("help").succeeds().stdout())
        .contains("Plugins (" + work.resolve("absent") + "): none, the directory does not exist");
    runner.run("tool").failsWithOneLine(125, "unknown command 'tool'");
  }
}
