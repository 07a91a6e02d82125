package io.quackrunner.service;

import java.util.Optional;

/**
 * Identifies a process that owns runs as {@code <pid>:<start millis>}, so a reused pid is not taken
 * for the dead owner.
 */
final class Owner {
  private Owner() {}

  /** Returns this process's owner id. */
  static String self() {
    return of(ProcessHandle.current());
  }

  private static String of(ProcessHandle h) {
    long start = h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    return h.pid() + ":" + start;
  }

  /** Returns whether the process an owner id names is still running. */
  static boolean alive(String owner) {
    int colon = owner.indexOf(':');
    if (colon < 0) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(owner.substring(0, colon));
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    return h.isPresent() && h.get().isAlive() && of(h.get()).equals(owner);
  }
}
