package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ErrorReporterTest {
  private final StringWriter err = new StringWriter();

  @Test
  void aRunnerExceptionIsOneLineWithItsKindsExitCode() {
    int code =
        new ErrorReporter(new PrintWriter(err), false)
            .report(new RunnerException(ErrorKind.VERIFICATION_FAILED, "bad\nsignature"));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("runner: bad\\nsignature\n");
  }

  @Test
  void anyOtherExceptionIsOneLineAndExitCode125() {
    int code =
        new ErrorReporter(new PrintWriter(err), false).report(new IllegalStateException("boom"));
    assertThat(code).isEqualTo(125);
    assertThat(err.toString())
        .isEqualTo("runner: internal error: java.lang.IllegalStateException: boom\n");
  }

  @Test
  void debugAddsTheStackTraceOfAnUnexpectedException() {
    new ErrorReporter(new PrintWriter(err), true).report(new IllegalStateException("boom"));
    assertThat(err.toString())
        .startsWith("runner: internal error: java.lang.IllegalStateException: boom\n")
        .contains("\tat io.quackrunner.cli.ErrorReporterTest");
  }

  @Test
  void debugDoesNotAddAStackTraceToARunnerException() {
    new ErrorReporter(new PrintWriter(err), true)
        .report(new RunnerException(ErrorKind.USAGE, "unknown command 'ls'"));
    assertThat(err.toString()).isEqualTo("runner: unknown command 'ls'\n");
  }
}
