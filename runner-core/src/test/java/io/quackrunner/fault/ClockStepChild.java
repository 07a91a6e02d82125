package io.quackrunner.fault;

import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogStream;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A runner process for {@link ClockStepIT}: runs {@code echo started; sleep 2} in a real sandbox,
 * says "started" when the sandbox does, and prints the result's times and the clock after the run.
 */
public final class ClockStepChild {
  private ClockStepChild() {}

  /** Args: state dir. */
  public static void main(String[] args) {
    Path state = Path.of(args[0]);
    SandboxConfig cfg = SandboxConfig.standard(state);
    Executor executor =
        new Executor(
            BubblewrapSandbox.open(cfg), cfg, RuntimeProfiles.builtIn(), LimitsPolicy.builtIn());
    ExecutionResult r =
        executor.execute(
            new ExecRequest(
                null,
                List.of("sh", "-c", "echo started; sleep 2"),
                null,
                null,
                state.resolve("out"),
                Map.of(),
                LimitsRequest.DEFAULTS),
            (stream, buf, off, len) -> {
              if (stream == LogStream.STDOUT) {
                System.out.println("started");
                System.out.flush();
              }
            });
    System.out.println(
        "result "
            + r.startedAt()
            + " "
            + r.finishedAt()
            + " "
            + r.wallTimeMs()
            + " "
            + Instant.now());
  }
}
