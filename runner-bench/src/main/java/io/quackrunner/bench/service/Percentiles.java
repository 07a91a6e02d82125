package io.quackrunner.bench.service;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of durations in nanoseconds, read in milliseconds. */
final class Percentiles {
  private final long[] sorted;

  Percentiles(long[] nanos) {
    sorted = nanos.clone();
    Arrays.sort(sorted);
  }

  Percentiles(List<Long> nanos) {
    this(nanos.stream().mapToLong(Long::longValue).toArray());
  }

  /** Returns the p-th percentile in milliseconds, or NaN for an empty sample. */
  double ms(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  int n() {
    return sorted.length;
  }
}
