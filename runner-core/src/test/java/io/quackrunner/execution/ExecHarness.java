package io.quackrunner.execution;

import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A real executor over the real bubblewrap backend in a throw-away state directory. */
final class ExecHarness {
  final Path state;
  final Executor executor;

  ExecHarness() throws IOException {
    this(RuntimeProfiles.builtIn());
  }

  ExecHarness(RuntimeProfiles runtimes) throws IOException {
    state = Files.createTempDirectory("qr-exec-it-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    SandboxConfig cfg = SandboxConfig.standard(state);
    executor = new Executor(BubblewrapSandbox.open(cfg), cfg, runtimes, LimitsPolicy.builtIn());
  }

  Path newOut() {
    return state.resolve("out-" + UUID.randomUUID());
  }

  ExecutionResult run(LimitsRequest limits, Path in, String runtime, String... argv) {
    return executor.execute(
        new ExecRequest(null, List.of(argv), runtime, in, newOut(), Map.of(), limits),
        LogListener.NONE);
  }

  ExecutionResult sh(String script) {
    return run(LimitsRequest.DEFAULTS, null, null, "sh", "-c", script);
  }

  ExecutionResult sh(LimitsRequest limits, String script) {
    return run(limits, null, null, "sh", "-c", script);
  }

  static String stdout(ExecutionResult r) throws IOException {
    return Files.readString(r.stdout().file(), StandardCharsets.UTF_8);
  }

  static String stderr(ExecutionResult r) throws IOException {
    return Files.readString(r.stderr().file(), StandardCharsets.UTF_8);
  }

  static LimitsRequest limits() {
    return LimitsRequest.DEFAULTS;
  }

  static LimitsRequest wall(long ms) {
    return new LimitsRequest(ms, null, null, null, null, null, null, null, null);
  }

  /** Runs a host command and returns its stdout (for cross-checks such as sha256sum). */
  static String host(Path dir, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
