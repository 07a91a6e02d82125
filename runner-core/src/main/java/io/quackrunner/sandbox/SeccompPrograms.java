package io.quackrunner.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The seccomp programs the launcher installs, compiled once per launcher binary and network mode
 * instead of on every run.
 *
 * <p>{@code qr-sandbox-exec --export-seccomp none|loopback} writes the classic-BPF program it would
 * build for a run; this class keeps that output as {@code DIR/<sha256 of the launcher>-<mode>.bpf}
 * (a root-owned directory, mode 0700; files 0600, written aside and renamed into place, so several
 * runner processes on one host share them and none reads a half-written one) and hands the path to
 * the launcher's {@code --seccomp-bpf}, which refuses a file that is not root-owned, private and
 * whole instructions. The name carries the SHA-256 of the launcher's bytes, so a rebuilt launcher
 * never gets an older program; within a process the digest is remembered per (path, inode, size,
 * mtime), so a run costs one {@code stat}.
 */
final class SeccompPrograms {
  /**
   * The network modes whose filters differ: sockets of AF_UNIX only, or also INET/INET6/NETLINK.
   */
  enum Mode {
    NONE("none"),
    LOOPBACK("loopback");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  private record Key(Path launcher, Object inode, long size, long mtimeNanos, Mode mode) {}

  private final Path dir;
  private final Map<Key, Path> known = new ConcurrentHashMap<>();

  /**
   * @param dir where the programs are kept, e.g. {@code /run/quackrunner/seccomp}; created 0700
   *     when missing
   */
  SeccompPrograms(Path dir) {
    this.dir = dir;
  }

  /**
   * Returns the path of the program for {@code launcher} and {@code mode}, exporting it first when
   * no valid copy exists.
   *
   * @throws IOException when the launcher cannot be read or its export fails (its stderr line is in
   *     the message)
   */
  Path program(Path launcher, Mode mode) throws IOException {
    PosixFileAttributes a = Files.readAttributes(launcher, PosixFileAttributes.class);
    Key key =
        new Key(
            launcher, a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), mode);
    Path p = known.get(key);
    if (p != null && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return p;
    }
    p = dir.resolve(sha256(launcher) + "-" + mode.label + ".bpf");
    if (!valid(p)) {
      export(launcher, mode, p);
    }
    known.put(key, p);
    return p;
  }

  /** True when {@code p} is a regular file of whole 8-byte BPF instructions. */
  private static boolean valid(Path p) throws IOException {
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    long n = Files.size(p);
    return n > 0 && n % 8 == 0;
  }

  private void export(Path launcher, Mode mode, Path target) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    Path aside = Files.createTempFile(dir, ".export-", ".bpf");
    try {
      Process pr =
          new ProcessBuilder(List.of(launcher.toString(), "--export-seccomp", mode.label))
              .redirectOutput(aside.toFile())
              .start();
      pr.getOutputStream().close();
      String err;
      try (InputStream e = pr.getErrorStream()) {
        err = new String(e.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      int rc = pr.waitFor();
      if (rc != 0 || !valid(aside)) {
        throw new IOException(
            launcher + " --export-seccomp " + mode.label + " failed (exit " + rc + "): " + err);
      }
      Files.setPosixFilePermissions(aside, PosixFilePermissions.fromString("rw-------"));
      Files.move(
          aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while exporting the seccomp program", e);
    } finally {
      Files.deleteIfExists(aside);
    }
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
