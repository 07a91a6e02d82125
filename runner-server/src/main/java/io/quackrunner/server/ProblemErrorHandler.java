package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the errors Jetty raises itself (bad URI, header too large, …) as RFC 9457 problems, never
 * as HTML or with a stack trace.
 */
final class ProblemErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request req, Response resp, int code, String message, Throwable cause, Callback cb)
      throws IOException {
    ErrorKind kind =
        switch (code) {
          case 401 -> ErrorKind.UNAUTHENTICATED;
          case 403 -> ErrorKind.FORBIDDEN;
          case 404 -> ErrorKind.NOT_FOUND;
          case 405 -> ErrorKind.METHOD_NOT_ALLOWED;
          case 409 -> ErrorKind.CONFLICT;
          case 413 -> ErrorKind.TOO_LARGE;
          case 414 -> ErrorKind.URI_TOO_LONG;
          case 415 -> ErrorKind.UNSUPPORTED_MEDIA_TYPE;
          case 416 -> ErrorKind.RANGE_NOT_SATISFIABLE;
          case 429 -> ErrorKind.BUSY;
          case 431 -> ErrorKind.HEADERS_TOO_LARGE;
          case 503 -> ErrorKind.UNAVAILABLE;
          default -> code >= 500 ? ErrorKind.INTERNAL : ErrorKind.BAD_REQUEST;
        };
    String detail = message == null || code >= 500 ? Http.title(kind) : message;
    Http.send(
        resp,
        cb,
        code,
        Http.PROBLEM_TYPE,
        Http.JSON.writeValueAsBytes(Http.problem(kind, code, detail, null)));
  }
}
