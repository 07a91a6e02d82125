package io.quackrunner.bench;

import java.util.Arrays;

/** Percentiles of a sample of durations in nanoseconds, printed in milliseconds. */
final class Stats {
  private final long[] sorted;

  Stats(long[] nanos) {
    sorted = nanos.clone();
    Arrays.sort(sorted);
  }

  /** Returns the p-th percentile (nearest rank), in milliseconds. */
  double percentileMs(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  /** Returns the sample size. */
  int n() {
    return sorted.length;
  }
}
