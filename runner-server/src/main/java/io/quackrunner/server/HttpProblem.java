package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/** A runner error answered with a more specific HTTP status than its kind's (405, 416). */
final class HttpProblem extends RunnerException {
  private static final long serialVersionUID = 1L;
  private final int status;

  HttpProblem(int status, ErrorKind kind, String message) {
    super(kind, message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
