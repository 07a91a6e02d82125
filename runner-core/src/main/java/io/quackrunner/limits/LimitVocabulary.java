package io.quackrunner.limits;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one vocabulary of limit names, accepted alike by the registry, the limits policy file and the
 * HTTP API: each limit has a unit-suffixed name holding an integer in that unit ({@code
 * wall_time_ms: 60000}, {@code memory_bytes: 536870912}) and a short name holding a value with a
 * unit ({@code wall_time: 60s}, {@code memory: 512m}, see {@link Units}); {@code pids} and {@code
 * network} have one name.
 *
 * <p>Either name may be given, never both for one limit. Results always use the suffixed names.
 */
public final class LimitVocabulary {
  /** The short names, in the order of {@link LimitsRequest}'s components. */
  public static final List<String> SHORT =
      List.of(
          "wall_time",
          "cpu_time",
          "memory",
          "pids",
          "output",
          "file_size",
          "out_dir",
          "tmp_dir",
          "network");

  /** The unit-suffixed names, in the same order. */
  public static final List<String> SUFFIXED =
      List.of(
          "wall_time_ms",
          "cpu_time_ms",
          "memory_bytes",
          "pids",
          "output_bytes",
          "file_size_bytes",
          "out_dir_bytes",
          "tmp_dir_bytes",
          "network");

  private LimitVocabulary() {}

  /**
   * Reads limits given under either name; values are JSON-like: strings, integral numbers, or (for
   * the policy file) text.
   *
   * @param values name → value
   * @param unknownKind the kind raised for an unknown name (UNKNOWN_FIELD for the API)
   * @param badKind the kind raised for a bad value or a limit given twice
   * @throws RunnerException of {@code unknownKind} or {@code badKind}
   */
  public static LimitsRequest read(
      Map<String, ?> values, ErrorKind unknownKind, ErrorKind badKind) {
    Long[] v = new Long[8];
    NetworkMode net = null;
    Map<Integer, String> seen = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String k = e.getKey();
      int i = SUFFIXED.indexOf(k);
      boolean suffixed = i >= 0;
      if (!suffixed) {
        i = SHORT.indexOf(k);
      }
      if (i < 0) {
        throw new RunnerException(
            unknownKind,
            "unknown limit '"
                + k
                + "' (known: "
                + String.join(", ", SUFFIXED)
                + ", or "
                + String.join(", ", SHORT.subList(0, 3))
                + ", … with units)");
      }
      String before = seen.put(i, k);
      if (before != null) {
        throw new RunnerException(badKind, "limit " + k + " is also given as " + before);
      }
      Object x = e.getValue();
      try {
        if (i == 8) {
          if (!(x instanceof String)) {
            throw new RunnerException(badKind, "limit network must be a string");
          }
          net = NetworkMode.parse((String) x);
        } else if (suffixed || i == 3) {
          v[i] = integer(k, x, badKind);
        } else {
          String text = x instanceof Number ? x.toString() : x instanceof String s ? s : null;
          if (text == null) {
            throw new RunnerException(
                badKind, "limit " + k + " must be a string such as 30s or 512m");
          }
          v[i] = i < 2 ? Units.parseDurationMs(text) : Units.parseBytes(text);
        }
      } catch (RunnerException ex) {
        throw ex.kind() == badKind || ex.kind() == unknownKind
            ? ex
            : new RunnerException(badKind, "limit " + k + ": " + ex.getMessage());
      }
    }
    return new LimitsRequest(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], net);
  }

  /** An integer: an integral JSON number (also {@code 1e3}), or decimal digits as text. */
  private static long integer(String k, Object x, ErrorKind badKind) {
    try {
      if (x instanceof Integer || x instanceof Long || x instanceof Short) {
        return ((Number) x).longValue();
      }
      if (x instanceof Double || x instanceof Float || x instanceof BigDecimal) {
        return new BigDecimal(x.toString()).longValueExact();
      }
      if (x instanceof java.math.BigInteger b) {
        return b.longValueExact();
      }
      if (x instanceof String s && s.strip().matches("-?[0-9]{1,19}")) {
        return Long.parseLong(s.strip());
      }
    } catch (ArithmeticException | NumberFormatException e) {
      // falls through to the error below
    }
    throw new RunnerException(badKind, "limit " + k + " must be an integer");
  }
}
