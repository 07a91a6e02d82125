package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.math.BigDecimal;

/**
 * Formats a double as ECMAScript's Number::toString does, as RFC 8785 §3.2.2.3 requires.
 *
 * <p>The shortest round-tripping digits come from {@link Double#toString(double)} (shortest since
 * JDK 19, JDK-4511638); the layout then follows ECMA-262 §6.1.6.1.20. One difference is mended:
 * where a one-digit decimal round-trips the JDK prints the closest two-digit one (4.9E-324), while
 * ECMAScript prints the one digit (5e-324).
 */
final class Es6Numbers {
  private Es6Numbers() {}

  /**
   * Returns the ECMAScript string of {@code value}; {@code -0} gives {@code "0"}.
   *
   * @throws RunnerException VERIFICATION_FAILED for NaN and infinities, which I-JSON forbids
   */
  static String format(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new RunnerException(ErrorKind.VERIFICATION_FAILED, "not I-JSON: number " + value);
    }
    if (value == 0) {
      return "0";
    }
    Decimal d = shortest(Math.abs(value));
    String layout = layout(d.digits, d.exponent);
    return value < 0 ? "-" + layout : layout;
  }

  /** Digits without leading or trailing zeros and n such that value = 0.digits × 10^n. */
  private record Decimal(String digits, int exponent) {}

  private static Decimal shortest(double abs) {
    String s = Double.toString(abs);
    int e = s.indexOf('E');
    String mantissa = e < 0 ? s : s.substring(0, e);
    int exp = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
    int dot = mantissa.indexOf('.');
    String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
    int n = dot + exp;
    int lead = 0;
    while (digits.charAt(lead) == '0') {
      lead++;
    }
    digits = stripTrailingZeros(digits.substring(lead));
    n -= lead;
    if (digits.length() == 2) {
      Decimal one = oneDigit(abs, digits, n);
      if (one != null) {
        return one;
      }
    }
    return new Decimal(digits, n);
  }

  /** The closest one-digit decimal that still reads back as {@code abs}, if there is one. */
  private static Decimal oneDigit(double abs, String twoDigits, int n) {
    int first = twoDigits.charAt(0) - '0';
    Decimal best = null;
    BigDecimal exact = new BigDecimal(abs);
    BigDecimal bestDistance = null;
    for (int d = first; d <= first + 1; d++) {
      Decimal candidate = d == 10 ? new Decimal("1", n + 1) : new Decimal(String.valueOf(d), n);
      BigDecimal value = new BigDecimal("0." + candidate.digits + "E" + candidate.exponent);
      if (value.doubleValue() != abs) {
        continue;
      }
      BigDecimal distance = value.subtract(exact).abs();
      if (bestDistance == null || distance.compareTo(bestDistance) < 0) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  private static String stripTrailingZeros(String digits) {
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    return digits.substring(0, end);
  }

  private static String layout(String digits, int n) {
    int k = digits.length();
    if (k <= n && n <= 21) {
      return digits + "0".repeat(n - k);
    }
    if (0 < n && n <= 21) {
      return digits.substring(0, n) + "." + digits.substring(n);
    }
    if (-6 < n && n <= 0) {
      return "0." + "0".repeat(-n) + digits;
    }
    int e = n - 1;
    String sign = e < 0 ? "-" : "+";
    String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return mantissa + "e" + sign + Math.abs(e);
  }
}
