package io.quackrunner.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which cgroup layout the host has, read from {@code /sys/fs/cgroup}.
 *
 * <p>{@code V2}: the unified hierarchy holds the controllers (most current distributions). {@code
 * HYBRID}: controllers on v1 hierarchies plus an (empty) cgroup2 at {@code unified/}, used here for
 * {@code cgroup.kill}. {@code V1}: v1 only; killing uses the freezer.
 */
public enum CgroupMode {
  V2,
  HYBRID,
  V1,
  NONE;

  /** Detects the mode under the given root (normally {@code /sys/fs/cgroup}). */
  public static CgroupMode detect(Path root) {
    if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
      return V2;
    }
    if (Files.isDirectory(root.resolve("memory")) && Files.isDirectory(root.resolve("pids"))) {
      return Files.isRegularFile(root.resolve("unified/cgroup.procs")) ? HYBRID : V1;
    }
    return NONE;
  }
}
