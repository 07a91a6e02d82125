package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder for {@code runner shell}; replaced by the real implementation. */
@Command(name = "shell", description = "Start an interactive shell (human use only)")
public final class ShellCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new RunnerException(ErrorKind.USAGE, "shell: not implemented yet");
  }
}
