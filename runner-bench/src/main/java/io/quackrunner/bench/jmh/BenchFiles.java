package io.quackrunner.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the JMH benchmarks keep their large fixtures: {@code -Dqr.bench.dir} or {@code
 * /var/tmp/quackrunner-jmh}. The path is fixed, not a fresh temporary directory, so every fork and
 * every later run reuses a fixture built once.
 */
final class BenchFiles {
  private BenchFiles() {}

  /** Returns the fixture directory, created if needed. */
  static Path dir() throws IOException {
    return Files.createDirectories(
        Path.of(System.getProperty("qr.bench.dir", "/var/tmp/quackrunner-jmh")));
  }

  /** Deletes a directory tree without following links; a missing tree is fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
