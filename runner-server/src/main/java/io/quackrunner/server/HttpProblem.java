package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Map;

/**
 * A runner error answered with response header fields of its own ({@code Allow} on a 405, {@code
 * Accept-Post} on a 415, {@code Content-Range} on a 416).
 */
final class HttpProblem extends RunnerException {
  private static final long serialVersionUID = 1L;
  private final transient Map<String, String> headers;

  HttpProblem(ErrorKind kind, String message, Map<String, String> headers) {
    super(kind, message);
    this.headers = Map.copyOf(headers);
  }

  int status() {
    return kind().httpStatus();
  }

  Map<String, String> headers() {
    return headers;
  }
}
