package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.PrintWriter;

/**
 * Writes the CLI's errors: exactly one line {@code runner: <message>} on stderr per error, and the
 * exit code from the single table in docs/EXIT-CODES.md.
 *
 * <p>A stack trace follows only when {@code RUNNER_DEBUG=1}, and only for unexpected exceptions.
 */
final class ErrorReporter {
  private final PrintWriter err;
  private final boolean debug;

  ErrorReporter(PrintWriter err, boolean debug) {
    this.err = err;
    this.debug = debug;
  }

  /** Prints the one line for {@code failure} and returns the exit code it maps to. */
  int report(Throwable failure) {
    if (failure instanceof RunnerException e) {
      line(e.getMessage());
      return e.kind().exitCode();
    }
    line("internal error: " + failure);
    if (debug) {
      failure.printStackTrace(err);
      err.flush();
    }
    return ErrorKind.INTERNAL.exitCode();
  }

  /** Prints {@code runner: <message>} as one line on stderr. */
  void line(String message) {
    err.println("runner: " + OneLine.of(message));
    err.flush();
  }
}
