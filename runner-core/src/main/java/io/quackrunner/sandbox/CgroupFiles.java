package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes cgroup interface files; every failure is an EXECUTION_FAILED error. */
final class CgroupFiles {
  private CgroupFiles() {}

  static void write(Path file, String value) {
    try {
      Files.writeString(file, value, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot write " + value + " to " + file + ": " + e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.ISOLATION_UNAVAILABLE, "cannot read " + file + ": " + e);
    }
  }

  static long readLong(Path file) {
    String s = read(file);
    return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
  }

  /** Returns the value of {@code key} in a flat-keyed file ({@code key value} lines), or 0. */
  static long keyed(Path file, String key) {
    for (String line : read(file).split("\n")) {
      String[] kv = line.trim().split("\\s+");
      if (kv.length == 2 && kv[0].equals(key)) {
        return Long.parseLong(kv[1]);
      }
    }
    return 0;
  }

  static List<Long> pids(Path dir) {
    List<Long> out = new ArrayList<>();
    for (String line : read(dir.resolve("cgroup.procs")).split("\n")) {
      if (!line.isBlank()) {
        out.add(Long.parseLong(line.trim()));
      }
    }
    return out;
  }

  static void mkdirs(Path dir) {
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot create cgroup " + dir + ": " + e);
    }
  }
}
