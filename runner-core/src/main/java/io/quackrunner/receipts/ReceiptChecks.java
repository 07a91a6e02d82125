package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Field rules shared by the receipt records; each failure is a one-line VERIFICATION_FAILED. */
final class ReceiptChecks {
  /** 2^53 − 1, the largest integer every I-JSON reader holds exactly (RFC 7493 §2.2). */
  static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private ReceiptChecks() {}

  static void that(boolean ok, String message) {
    if (!ok) {
      throw new RunnerException(ErrorKind.VERIFICATION_FAILED, "bad receipt: " + message);
    }
  }

  static void text(String value, String field) {
    that(value != null && !value.isEmpty(), field + " is required");
  }

  static void size(long value, String field) {
    that(value >= 0 && value <= MAX_SAFE_INTEGER, field + " must be in 0..2^53-1");
  }

  static void safeInteger(Long value, String field) {
    that(
        value != null && Math.abs(value) <= MAX_SAFE_INTEGER,
        field + " values must be integers within ±(2^53-1)");
  }

  static void timestamp(String value, String field) {
    boolean ok = value != null && value.endsWith("Z") && value.indexOf('T') == 10;
    if (ok) {
      try {
        Instant.parse(value);
      } catch (DateTimeParseException e) {
        ok = false;
      }
    }
    that(ok, field + " must be an RFC 3339 UTC timestamp like 2025-01-31T12:00:00Z");
  }

  static void relativePath(String path) {
    boolean ok =
        path != null
            && !path.isEmpty()
            && !path.startsWith("/")
            && !path.contains("\\")
            && !path.contains("\0");
    if (ok) {
      for (String part : path.split("/", -1)) {
        ok &= !part.isEmpty() && !part.equals(".") && !part.equals("..");
      }
    }
    that(ok, "artifact_id must be a relative '/'-separated path without '.', '..' or empty parts");
  }

  static boolean isSha256Hex(String s) {
    return s != null && s.matches("[0-9a-f]{64}");
  }
}
