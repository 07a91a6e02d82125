package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The part of the cgroup v2 hierarchy the runner owns, found and made ready at start-up (Linux
 * Documentation/admin-guide/cgroup-v2.rst, "Delegation" and "No Internal Process Constraint").
 *
 * <p>The runner reads its own cgroup from the {@code 0::} line of {@code /proc/self/cgroup}. In the
 * root cgroup (a host without systemd) it owns the whole tree and enables the controllers in the
 * root's {@code cgroup.subtree_control}. Anywhere else its own cgroup is the delegated root (a
 * systemd unit with {@code Delegate=yes}): the runner moves itself into the leaf {@value #LEAF},
 * then enables the controllers below. The pool parent {@code quackrunner/} and every slot under it
 * get the controllers enabled too, so each run can have a fresh leaf cgroup of its own.
 */
final class CgroupV2Tree {
  /** The leaf the runner's own processes live in, beside the pool. */
  static final String LEAF = "qr-runner";

  /** The controllers every sandbox needs: {@code cpu.stat} is there without any controller. */
  static final List<String> NEEDED = List.of("memory", "pids");

  private CgroupV2Tree() {}

  /**
   * Returns the delegated root: the mount itself when the runner is in the root cgroup, else the
   * runner's own cgroup (or its parent when the runner already sits in {@value #LEAF}).
   *
   * @param mount the cgroup2 mount, normally {@code /sys/fs/cgroup}
   * @param selfCgroup normally {@code /proc/self/cgroup}
   * @throws RunnerException of kind ISOLATION_UNAVAILABLE when the file has no {@code 0::} line
   */
  static Path delegatedRoot(Path mount, Path selfCgroup) {
    String rel = ownPath(selfCgroup);
    if (rel.equals("/")) {
      return mount;
    }
    Path own = mount.resolve(rel.substring(1));
    return own.getFileName().toString().equals(LEAF) ? own.getParent() : own;
  }

  /** Returns the cgroup v2 path of this process ({@code /} for the root), from {@code 0::}. */
  static String ownPath(Path selfCgroup) {
    String text;
    try {
      text = Files.readString(selfCgroup, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot read " + selfCgroup + ": " + e);
    }
    for (String line : text.split("\n")) {
      if (line.startsWith("0::")) {
        String p = line.substring(3).trim();
        // a cgroup namespace can show "/.." paths; they are not ours to use
        if (!p.startsWith("/") || p.contains("/..")) {
          break;
        }
        return p;
      }
    }
    throw new RunnerException(
        ErrorKind.ISOLATION_UNAVAILABLE,
        "no usable cgroup v2 entry (0::/path) in " + selfCgroup + ": " + text.strip());
  }

  /**
   * Makes the runner's subtree ready and returns the pool parent ({@code <root>/quackrunner}).
   *
   * @throws RunnerException of kind ISOLATION_UNAVAILABLE with one line naming the file and the fix
   *     when a needed controller is not delegated or cannot be enabled
   */
  static Path prepare(Path mount, Path selfCgroup) {
    Path root = delegatedRoot(mount, selfCgroup);
    boolean hostRoot = root.equals(mount);
    Set<String> available = Set.of(words(CgroupFiles.read(root.resolve("cgroup.controllers"))));
    List<String> missing = new ArrayList<>();
    for (String c : NEEDED) {
      if (!available.contains(c)) {
        missing.add(c);
      }
    }
    if (!missing.isEmpty()) {
      String fix =
          hostRoot
              ? "they are bound to cgroup v1: boot with systemd.unified_cgroup_hierarchy=1 (or"
                  + " cgroup_no_v1=all)"
              : "the parent does not delegate them: run the runner as a systemd unit with"
                  + " Delegate=yes (packaging/systemd/quackrunner.service) or enable them in "
                  + root.getParent().resolve("cgroup.subtree_control");
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "cgroup v2 controller(s) "
              + String.join(",", missing)
              + " missing in "
              + root.resolve("cgroup.controllers")
              + ": "
              + fix);
    }
    if (!hostRoot && !enabled(root).containsAll(NEEDED)) {
      // No internal processes: leave the delegated root before enabling controllers in it.
      Path leaf = root.resolve(LEAF);
      CgroupFiles.mkdirs(leaf);
      CgroupFiles.write(leaf.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
      List<Long> others = CgroupFiles.pids(root);
      if (!others.isEmpty()) {
        throw new RunnerException(
            ErrorKind.ISOLATION_UNAVAILABLE,
            "cannot enable controllers in "
                + root.resolve("cgroup.subtree_control")
                + ": processes "
                + others
                + " other than the runner live in "
                + root
                + "; start the runner in a cgroup of its own with Delegate=yes"
                + " (packaging/systemd/quackrunner.service, or systemd-run --scope -p"
                + " Delegate=yes)");
      }
    }
    enable(root);
    Path pool = root.resolve("quackrunner");
    CgroupFiles.mkdirs(pool);
    enable(pool);
    if (!Files.isRegularFile(pool.resolve("cgroup.kill"))) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "no " + pool.resolve("cgroup.kill") + ": the cgroup v2 path needs Linux >= 5.14");
    }
    return pool;
  }

  /** Enables the needed controllers in {@code dir/cgroup.subtree_control} where they are not. */
  static void enable(Path dir) {
    Set<String> on = enabled(dir);
    for (String c : NEEDED) {
      if (!on.contains(c)) {
        CgroupFiles.write(dir.resolve("cgroup.subtree_control"), "+" + c);
      }
    }
  }

  private static Set<String> enabled(Path dir) {
    return Set.of(words(CgroupFiles.read(dir.resolve("cgroup.subtree_control"))));
  }

  static String[] words(String s) {
    return s.isBlank() ? new String[0] : s.trim().split("\\s+");
  }
}
