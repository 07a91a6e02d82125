package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.Units;
import java.io.Console;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner shell}: an interactive shell for a person, in the same sandbox a run gets (Runner
 * Platform CONTRACT v0.2.0, "human use only"). It refuses to start without a terminal, so
 * automation cannot use it as an implicit execution path.
 */
@Command(name = "shell", description = "Start an interactive shell (human use only)")
public final class ShellCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Option(names = "--runtime", paramLabel = "ID", description = "runtime profile (default: system)")
  String runtime;

  @Option(names = "--timeout", paramLabel = "T", description = "session wall time (default 1h)")
  String timeout = "1h";

  @Override
  public Integer call() {
    Console console = System.console();
    if (console == null || !console.isTerminal()) {
      throw new RunnerException(
          ErrorKind.USAGE,
          "shell is for people and needs a terminal; use 'runner exec' in automation");
    }
    Path state = Engine.stateDir(System.getenv());
    LimitsRequest limits =
        new LimitsRequest(
            Units.parseDurationMs(timeout), null, null, null, null, null, null, null, null);
    return Engine.open(state, runner.context().etcDir())
        .shell(runtime, List.of("/bin/bash", "--noprofile", "--norc", "-i"), limits, state);
  }
}
