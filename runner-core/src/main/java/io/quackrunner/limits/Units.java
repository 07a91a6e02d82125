package io.quackrunner.limits;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human units of limits: sizes ({@code 512m}) and durations ({@code 10s}). */
public final class Units {
  private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]i?b?|b)?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  private Units() {}

  /**
   * Parses a size in bytes: a decimal integer with an optional binary suffix {@code k}, {@code m},
   * {@code g}, {@code t} (powers of 1024; {@code ki}, {@code mib} spellings accepted).
   *
   * @throws RunnerException of kind USAGE when the text is not a size or overflows a long
   */
  public static long parseBytes(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new RunnerException(ErrorKind.USAGE, "not a size: '" + text + "' (try 512m, 2g)");
    }
    int shift =
        switch (m.group(2) == null ? "" : m.group(2).substring(0, 1)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    return checkedShift(m.group(1), shift, text);
  }

  /**
   * Parses a duration into milliseconds: a decimal integer with an optional unit {@code ms}, {@code
   * s} (the default), {@code m} or {@code h}.
   *
   * @throws RunnerException of kind USAGE when the text is not a duration or overflows a long
   */
  public static long parseDurationMs(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new RunnerException(ErrorKind.USAGE, "not a duration: '" + text + "' (try 30s, 500ms)");
    }
    long factor =
        switch (m.group(2) == null ? "s" : m.group(2)) {
          case "ms" -> 1;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> 1_000;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new RunnerException(ErrorKind.USAGE, "duration too large: '" + text + "'");
    }
  }

  private static long checkedShift(String digits, int shift, String text) {
    try {
      long v = Long.parseLong(digits);
      if (v > (Long.MAX_VALUE >> shift)) {
        throw new NumberFormatException();
      }
      return v << shift;
    } catch (NumberFormatException e) {
      throw new RunnerException(ErrorKind.USAGE, "size too large: '" + text + "'");
    }
  }
}
