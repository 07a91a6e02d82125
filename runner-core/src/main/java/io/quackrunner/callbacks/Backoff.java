package io.quackrunner.callbacks;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Bounded exponential backoff with "equal jitter": before attempt {@code n + 1} (after {@code n}
 * failed ones) the wait is {@code d/2 + random[0, d/2]} with {@code d = min(max, initial *
 * 2^(n-1))}, so waits grow by doubling, never exceed {@code max}, and retries of many runs spread
 * out.
 *
 * @param initial the wait after the first failed attempt, before jitter
 * @param max the largest wait
 */
public record Backoff(Duration initial, Duration max) {
  /** Checks the bounds. */
  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max");
    }
  }

  /**
   * Returns the wait after {@code failed} failed attempts, in milliseconds.
   *
   * @param failed failed attempts so far, at least 1
   * @param random the source of jitter
   */
  public long delayMs(int failed, RandomGenerator random) {
    long cap = max.toMillis();
    long d = initial.toMillis();
    for (int i = 1; i < failed && d < cap; i++) {
      d *= 2;
    }
    d = Math.min(d, cap);
    long half = d / 2;
    return half + (d - half == 0 ? 0 : random.nextLong(d - half + 1));
  }
}
