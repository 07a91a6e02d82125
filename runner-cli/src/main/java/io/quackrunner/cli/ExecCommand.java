package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder for {@code runner exec}; replaced by the real implementation. */
@Command(name = "exec", description = "Execute a system command explicitly")
public final class ExecCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new RunnerException(ErrorKind.USAGE, "exec: not implemented yet");
  }
}
