package io.quackrunner.bench.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The whole machine's busy and total CPU time, from the first line of {@code /proc/stat}. */
record MachineCpu(long busy, long total) {
  static MachineCpu now() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length && i <= 8; i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new MachineCpu(total - idle, total);
  }

  /** Returns the busy share of all cores since {@code before}, 0 to 1. */
  double busySince(MachineCpu before) {
    return (double) (busy - before.busy) / Math.max(1, total - before.total);
  }
}
