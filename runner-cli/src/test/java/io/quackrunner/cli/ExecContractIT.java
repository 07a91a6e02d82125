package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runner exec} and {@code runner shell} through the real launcher and the real sandbox. */
class ExecContractIT {
  @TempDir Path work;
  RunnerProcess runner;
  Path state;

  @BeforeEach
  void setUp() {
    runner = RunnerProcess.withState(work);
    state = runner.state();
  }

  // One test per row of docs/EXIT-CODES.md.

  @Test
  void theCommandsOwnExitCodePassesThrough() {
    var r = runner.run("exec", "--", "sh", "-c", "echo out; echo err >&2; exit 42");
    assertThat(r.exitCode()).isEqualTo(42);
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
  }

  @Test
  void killedBySignalNGives128PlusN() {
    assertThat(runner.run("exec", "--", "sh", "-c", "kill -TERM $$").exitCode()).isEqualTo(143);
    assertThat(runner.run("exec", "--", "sh", "-c", "kill -KILL $$").exitCode()).isEqualTo(137);
  }

  @Test
  void timeoutGives124() {
    runner
        .run("exec", "--timeout", "500ms", "--", "sleep", "30")
        .failsWithOneLine(124, "timed out after 500 ms");
  }

  @Test
  void runnerErrorsAndBadUsageGive125() {
    runner
        .run("exec", "--memory", "lots", "--", "true")
        .failsWithOneLine(125, "not a size: 'lots'");
    runner
        .run("exec", "--network", "host", "--", "true")
        .failsWithOneLine(125, "network host is not allowed");
    runner
        .run("exec", "--runtime", "python-3.12", "--", "python3")
        .failsWithOneLine(125, "not installed");
    runner.run("exec", "--bogus", "--", "true").failsWithOneLine(125, "unknown option '--bogus'");
    runner
        .run("exec", "--allow-host", "api.example.com", "--", "true")
        .failsWithOneLine(125, "allowed host 'api.example.com': the port is required");
    runner
        .run("exec", "--allow-host", "a*.example.com:443", "--", "true")
        .failsWithOneLine(125, "a wildcard is allowed only as the whole first label");
    runner
        .run("exec", "--network", "loopback", "--allow-host", "api.example.com:443", "--", "true")
        .failsWithOneLine(125, "network loopback and an allow-list exclude each other");
    runner
        .run("exec", "--network", "egress", "--", "true")
        .failsWithOneLine(125, "network egress needs an allow-list");
    runner.run("exec").failsWithOneLine(125, "CMD");
  }

  @Test
  void foundButNotExecutableGives126() {
    assertThat(runner.run("exec", "--", "/etc/passwd").exitCode()).isEqualTo(126);
  }

  @Test
  void notFoundGives127() {
    assertThat(runner.run("exec", "--", "no-such-command").exitCode()).isEqualTo(127);
  }

  @Test
  void aLimitBreachGives137AndNamesTheLimit() {
    runner
        .run(
            "exec",
            "--memory",
            "32m",
            "--runtime",
            "python-3.11",
            "--",
            "python3",
            "-c",
            "b = bytearray(256 << 20)")
        .failsWithOneLine(137, "limit exceeded: memory");
  }

  @Test
  void theOutDirHoldsArtifactsReportsAndVerifiableSums() throws Exception {
    Path in = Files.createDirectories(work.resolve("in"));
    Files.writeString(in.resolve("name.txt"), "duck");
    Path out = work.resolve("out");
    var r =
        runner.run(
            "exec",
            "--in",
            in.toString(),
            "--out-dir",
            out.toString(),
            "--env",
            "GREETING=hello",
            "--",
            "sh",
            "-c",
            "echo \"$GREETING $(cat in/name.txt)\" | tee $OUT_DIR/greeting.txt; pwd");
    r.succeeds();
    assertThat(r.stdout()).isEqualTo("hello duck\n/workspace\n");
    assertThat(Files.readString(out.resolve("greeting.txt"))).isEqualTo("hello duck\n");
    assertThat(Files.readString(out.resolve("reports/stdout.log")))
        .isEqualTo("hello duck\n/workspace\n");
    Process sums =
        new ProcessBuilder("sha256sum", "-c", "sha256sums.txt")
            .directory(out.toFile())
            .redirectErrorStream(true)
            .start();
    String check = new String(sums.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(sums.waitFor()).as(check).isZero();
    assertThat(check).contains("greeting.txt: OK", "reports/runner.meta.json: OK");

    JsonNode meta = new ObjectMapper().readTree(out.resolve("reports/runner.meta.json").toFile());
    List<String> keys = new ArrayList<>();
    meta.fieldNames().forEachRemaining(keys::add);
    assertThat(keys.subList(0, 5))
        .containsExactly(
            "runner_id", "container_digest", "environment_fingerprint", "workdir", "executed_at");
    List<String> fp = new ArrayList<>();
    meta.get("environment_fingerprint").fieldNames().forEachRemaining(fp::add);
    assertThat(fp).containsExactly("os", "arch", "runtime_type", "runtime_version", "generated_at");
    // A host-backed run has no image: no digest that could pass for one (docs/IMAGES.md).
    assertThat(meta.get("container_digest").isNull()).isTrue();
    assertThat(meta.get("image").asText()).isEqualTo("host");
    assertThat(meta.get("workdir").asText()).isEqualTo("/workspace");
    assertThat(meta.get("isolated").asBoolean()).isTrue();
  }

  @Test
  void aNonEmptyOutDirIsNeverOverwritten() throws Exception {
    Path out = Files.createDirectories(work.resolve("used"));
    Files.writeString(out.resolve("keep.txt"), "precious");
    runner
        .run("exec", "--out-dir", out.toString(), "--", "true")
        .failsWithOneLine(125, "is not empty");
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("precious");
  }

  @Test
  void aSymlinkInOutIsAViolationWith125() {
    runner
        .run("exec", "--", "ln", "-s", "/etc/shadow", "/workspace/out/stolen")
        .failsWithOneLine(125, "artifact violation: stolen: symlink");
  }

  @Test
  void theShellRefusesWithoutATerminal() {
    runner.run("shell").failsWithOneLine(125, "needs a terminal");
  }
}
