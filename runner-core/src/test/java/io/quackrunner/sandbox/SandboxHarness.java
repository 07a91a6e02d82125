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
    state = Files.createTempDirectory("qr-it-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    sandbox = BubblewrapSandbox.open(SandboxConfig.standard(state).withUnifiedKill(unifiedKill));
  }

  static Limits limits(LimitsRequest r) {
    return LimitsPolicy.builtIn().resolve(r);
  }

  SandboxOutcome run(Limits limits, Path input, String... argv) {
    return run(limits, input, Map.of(), "system", argv);
  }

  SandboxOutcome run(
      Limits limits, Path input, Map<String, String> env, String runtime, String... argv) {
    String id = UUID.randomUUID().toString();
    SandboxSpec spec =
        new SandboxSpec(
            id,
            List.of(argv),
            RUNTIMES.resolve(runtime),
            input,
            env,
            limits,
            state.resolve("logs").resolve(id),
            false,
            new io.quackrunner.sandbox.PhaseTimes());
    return sandbox.run(spec, LogListener.NONE);
  }

  static String stdout(SandboxOutcome o) throws IOException {
    return Files.readString(o.stdout().file(), StandardCharsets.UTF_8);
  }

  static String stderr(SandboxOutcome o) throws IOException {
    return Files.readString(o.stderr().file(), StandardCharsets.UTF_8);
  }
}
