package io.quackrunner.sandbox;

import io.quackrunner.limits.Limits;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.runtime.RuntimeProfiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Opens the real bubblewrap backend in a throw-away state directory for integration tests. */
final class SandboxHarness {
  static final RuntimeProfiles RUNTIMES = RuntimeProfiles.builtIn();
  final Path state;
  final BubblewrapSandbox sandbox;

  SandboxHarness() throws IOException {
    this(true);
  }

  SandboxHarness(boolean unifiedKill) throws IOException {
    this(unifiedKill, SandboxConfig.standard(Path.of("unused")).slots());
  }

  /** A backend with only {@code slots} cgroup slots (1: every run reuses slot 0). */
  SandboxHarness(boolean unifiedKill, int slots) throws IOException {
    state = Files.createTempDirectory("qr-it-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    SandboxConfig c = SandboxConfig.standard(state).withUnifiedKill(unifiedKill);
    sandbox =
        BubblewrapSandbox.open(
            new SandboxConfig(
                c.launcher(),
                c.bwrap(),
                c.workRoot(),
                c.cgroupRoot(),
                c.lockDir(),
                c.uidBase(),
                slots,
                c.useUnifiedKill()));
  }

  static Limits limits(LimitsRequest r) {
    return LimitsPolicy.builtIn().resolve(r);
  }

  SandboxOutcome run(Limits limits, Path input, String... argv) {
    return run(limits, input, Map.of(), "system", argv);
  }

  SandboxOutcome run(
      Limits limits, Path input, Map<String, String> env, String runtime, String... argv) {
    return sandbox.run(spec(limits, input, env, runtime, argv), LogListener.NONE);
  }

  /** Starts a sandbox on the system runtime and returns it running. */
  BubblewrapSandbox.Execution start(Limits limits, String... argv) {
    return sandbox.start(spec(limits, null, Map.of(), "system", argv), LogListener.NONE);
  }

  private SandboxSpec spec(
      Limits limits, Path input, Map<String, String> env, String runtime, String... argv) {
    String id = UUID.randomUUID().toString();
    return new SandboxSpec(
        id,
        List.of(argv),
        RUNTIMES.resolve(runtime),
        input,
        env,
        limits,
        state.resolve("logs").resolve(id),
        false,
        new io.quackrunner.sandbox.PhaseTimes());
  }

  static String stdout(SandboxOutcome o) throws IOException {
    return Files.readString(o.stdout().file(), StandardCharsets.UTF_8);
  }

  static String stderr(SandboxOutcome o) throws IOException {
    return Files.readString(o.stderr().file(), StandardCharsets.UTF_8);
  }
}
