package io.quackrunner.server.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The size of the load tests: CI-sized unless {@code -Dquackrunner.load=full} or {@code
 * QUACKRUNNER_LOAD=full} asks for the full size of issue 5.
 */
final class Scale {
  static final Path REGISTRY = Path.of("src/test/resources/load/tools.yaml").toAbsolutePath();

  private Scale() {}

  static boolean full() {
    String v = System.getProperty("quackrunner.load", System.getenv("QUACKRUNNER_LOAD"));
    return "full".equals(v);
  }

  static int pick(int ci, int full) {
    return full() ? full : ci;
  }

  static Path newStateDir() throws IOException {
    Path state = Files.createTempDirectory("qr-load-it-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    return state;
  }

  /** Returns VmRSS of a process in KiB, from /proc/PID/status. */
  static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).strip().split("\\s+")[0]);
      }
    }
    return -1;
  }
}
