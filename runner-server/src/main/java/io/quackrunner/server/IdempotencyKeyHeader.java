package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/**
 * Reads the {@code Idempotency-Key} request header (draft-ietf-httpapi-idempotency-key-header): its
 * value is an RFC 8941 §3.3.3 structured-field String, {@code "8e03978e-40d5"}.
 *
 * <p>The quoted form is parsed by RFC 8941 §4.2.5 ({@code \"} and {@code \\} are the only escapes,
 * characters 0x20–0x7E). Clients that send the key bare ({@code 8e03978e-40d5}) are accepted too: a
 * bare value of visible ASCII without {@code "}, {@code \}, {@code ,} or {@code ;} is the same key
 * as its quoted form. Every other form — parameters ({@code "k";a=1}), a list of several items, a
 * bad escape, an unterminated string, non-ASCII — is refused with a 400, never guessed at.
 */
final class IdempotencyKeyHeader {
  private IdempotencyKeyHeader() {}

  /**
   * Returns the key a header value carries, or null when the header is absent.
   *
   * @throws RunnerException of kind USAGE when the value is neither an sf-string nor a bare key
   */
  static String parse(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.isEmpty()) {
      throw bad("is empty");
    }
    if (v.charAt(0) != '"') {
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\' || c == ',' || c == ';') {
          throw bad("is neither an RFC 8941 string (\"...\") nor a bare key of visible ASCII");
        }
      }
      return v;
    }
    StringBuilder out = new StringBuilder();
    int i = 1;
    while (true) {
      if (i >= v.length()) {
        throw bad("is an unterminated RFC 8941 string");
      }
      char c = v.charAt(i++);
      if (c == '\\') {
        if (i >= v.length() || (v.charAt(i) != '"' && v.charAt(i) != '\\')) {
          throw bad("has an escape other than \\\" or \\\\ (RFC 8941 §3.3.3)");
        }
        out.append(v.charAt(i++));
      } else if (c == '"') {
        break;
      } else if (c < 0x20 || c > 0x7e) {
        throw bad("holds a character outside 0x20-0x7E (RFC 8941 §3.3.3)");
      } else {
        out.append(c);
      }
    }
    if (i != v.length()) {
      throw bad("has something after the string (parameters or a list are not accepted)");
    }
    return out.toString();
  }

  private static RunnerException bad(String why) {
    return new RunnerException(ErrorKind.USAGE, "the Idempotency-Key header " + why);
  }
}
