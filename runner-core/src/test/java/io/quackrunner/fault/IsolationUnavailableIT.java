package io.quackrunner.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.sandbox.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's parts are missing or unusable. Stated outcome: opening the backend fails with
 * ISOLATION_UNAVAILABLE naming what is wrong, or (bubblewrap removed after start-up) the run fails
 * with EXECUTION_FAILED; in no case does the command run outside a sandbox, which a host-side
 * marker file checks.
 */
class IsolationUnavailableIT {
  private Path state;
  private Path marker;

  @BeforeEach
  void makeState() throws Exception {
    state = Files.createTempDirectory("qr-fault-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    // In a sandbox /tmp is a private tmpfs, so only an unsandboxed command can create this.
    marker = Path.of("/tmp", "qr-unsandboxed-" + UUID.randomUUID());
  }

  @AfterEach
  void noUnsandboxedRun() throws Exception {
    assertThat(marker).as("the command ran on the host").doesNotExist();
    TmpfsMount.run("rm", "-rf", "--one-file-system", state.toString());
  }

  private static void refused(SandboxConfig cfg, String... named) {
    assertThatThrownBy(() -> BubblewrapSandbox.open(cfg))
        .isInstanceOfSatisfying(
            RunnerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.ISOLATION_UNAVAILABLE);
              assertThat(e.getMessage()).contains(named);
            });
  }

  @Test
  void missingBubblewrapIsRefusedAtStartUp() {
    Path bwrap = Path.of("/nonexistent/bwrap");
    refused(SandboxConfig.standard(state).withBwrap(bwrap), bwrap.toString(), "unsandboxed");
  }

  @Test
  void bubblewrapThatDoesNotRunIsRefusedAtStartUp() throws Exception {
    Path fake = state.resolve("bwrap");
    Files.writeString(fake, "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    refused(SandboxConfig.standard(state).withBwrap(fake), fake.toString(), "does not run");
  }

  @Test
  void cgroupRootWithoutControllersIsRefusedAtStartUp() throws Exception {
    Path notCgroups = Files.createDirectory(state.resolve("not-cgroups"));
    refused(
        SandboxConfig.standard(state).withCgroupRoot(notCgroups),
        notCgroups.toString(),
        "no cgroup hierarchy");
  }

  @Test
  void readOnlyCgroupHierarchyIsRefusedAtStartUp() throws Exception {
    try (TmpfsMount fake = TmpfsMount.of("1m")) {
      // Looks like cgroup v1 (memory/ and pids/ exist) but nothing in it can be created.
      Files.createDirectory(fake.dir().resolve("memory"));
      Files.createDirectory(fake.dir().resolve("pids"));
      fake.remount("ro");
      refused(SandboxConfig.standard(state).withCgroupRoot(fake.dir()), fake.dir().toString());
    }
  }

  @Test
  void bubblewrapRemovedAfterStartUpFailsTheRunAndRunsNothing() throws Exception {
    Path dir = Files.createDirectory(state.resolve("bin"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bwrap = dir.resolve("bwrap");
    Files.copy(HostProbe.BWRAP, bwrap);
    Files.setPosixFilePermissions(bwrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    SandboxConfig cfg = SandboxConfig.standard(state).withBwrap(bwrap);
    Executor executor =
        new Executor(
            BubblewrapSandbox.open(cfg), cfg, RuntimeProfiles.builtIn(), LimitsPolicy.builtIn());
    Files.delete(bwrap);
    ExecRequest req =
        new ExecRequest(
            null,
            List.of("sh", "-c", "touch " + marker),
            null,
            null,
            state.resolve("out"),
            Map.of(),
            LimitsRequest.DEFAULTS);
    assertThatThrownBy(() -> executor.execute(req, LogListener.NONE))
        .isInstanceOfSatisfying(
            RunnerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.EXECUTION_FAILED);
              assertThat(e.getMessage()).contains("did not start the command");
            });
  }
}
