package io.quackrunner.server.load;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a state directory's runs may have left on the host after they all ended: sandbox processes,
 * populated cgroup slots, tmpfs mounts and workspace directories.
 *
 * <p>Other runner processes on the host (other test suites) share the sandbox uids and cgroup
 * slots, so a process counts as this test's when its command line names the state directory's
 * sandboxes or its environment carries one of this test's execution ids; foreign ones are noted,
 * never failed on. A slot is only inspected while this test holds its lease lock, so a slot in use
 * by a live runner is skipped, not misread.
 */
final class Leftovers {
  static final int SANDBOX_UID_BASE = 970000;
  private static final Path SLOT_LOCKS = Path.of("/run/quackrunner/slots");
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

  /**
   * The findings of one scan.
   *
   * @param problems leftovers of this test's runs (each one a failure)
   * @param notes foreign or skipped things, for the log
   */
  record Report(List<String> problems, List<String> notes) {}

  private final Path state;
  private final Collection<String> runIds;

  Leftovers(Path state, Collection<String> runIds) {
    this.state = state.toAbsolutePath();
    this.runIds = runIds;
  }

  Report scan() throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    processes(problems, notes);
    mounts(problems);
    workspaces(problems);
    slots(problems, notes);
    return new Report(problems, notes);
  }

  /**
   * Scans until nothing of this test's is left or the time is up (processes die asynchronously).
   */
  Report settle(long millis) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    Report r = scan();
    while (!r.problems().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      r = scan();
    }
    return r;
  }

  private boolean mine(long pid) {
    String cmd = read(Path.of("/proc", Long.toString(pid), "cmdline"));
    if (cmd.contains(state.resolve("sandboxes").toString())) {
      return true;
    }
    String env = read(Path.of("/proc", Long.toString(pid), "environ"));
    for (String kv : env.split(" ")) {
      if (kv.startsWith("RUNNER_EXECUTION_ID=")
          && runIds.contains(kv.substring("RUNNER_EXECUTION_ID=".length()))) {
        return true;
      }
    }
    return false;
  }

  private void processes(List<String> problems, List<String> notes) throws IOException {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        long pid = Long.parseLong(p.getFileName().toString());
        long uid = uid(p);
        if (uid < 0) {
          continue; // gone
        }
        boolean sandboxUid = uid >= SANDBOX_UID_BASE;
        boolean mine = mine(pid);
        if (mine) {
          problems.add("process " + pid + " (uid " + uid + "): " + describe(pid));
        } else if (sandboxUid) {
          notes.add("foreign sandbox process " + pid + " (uid " + uid + ")");
        }
      }
    }
  }

  private static long uid(Path proc) {
    for (String line : read(proc.resolve("status")).split("\n")) {
      if (line.startsWith("Uid:")) {
        return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
      }
    }
    return -1;
  }

  private static String describe(long pid) {
    String cmd = read(Path.of("/proc", Long.toString(pid), "cmdline")).strip();
    return cmd.length() > 200 ? cmd.substring(0, 200) + "…" : cmd;
  }

  private void mounts(List<String> problems) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4 && f[4].startsWith(state.toString())) {
        problems.add("mount left: " + f[4]);
      }
    }
  }

  private void workspaces(List<String> problems) throws IOException {
    Path root = state.resolve("sandboxes");
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> s = Files.list(root)) {
      s.forEach(p -> problems.add("workspace left: " + p));
    }
  }

  private void slots(List<String> problems, List<String> notes) throws IOException {
    if (!Files.isDirectory(SLOT_LOCKS)) {
      return;
    }
    List<Path> locks;
    try (Stream<Path> s = Files.list(SLOT_LOCKS)) {
      locks = s.filter(p -> p.getFileName().toString().matches("slot-\\d+\\.lock")).toList();
    }
    int busy = 0;
    for (Path lockFile : locks) {
      String slot = lockFile.getFileName().toString().replace(".lock", "");
      try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // leased by a runner in this JVM
        }
        if (lock == null) {
          busy++;
          continue;
        }
        try {
          for (Path procs : slotProcs(slot)) {
            for (String pid : read(procs).split("\\s+")) {
              if (pid.isEmpty()) {
                continue;
              }
              if (mine(Long.parseLong(pid))) {
                problems.add(
                    "cgroup "
                        + procs.getParent()
                        + " holds "
                        + pid
                        + ": "
                        + describe(Long.parseLong(pid)));
              } else {
                notes.add("cgroup " + procs.getParent() + " holds foreign pid " + pid);
              }
            }
          }
        } finally {
          lock.release();
        }
      }
    }
    if (busy > 0) {
      notes.add(busy + " cgroup slots leased by live runners were not inspected");
    }
  }

  private static List<Path> slotProcs(String slot) throws IOException {
    List<Path> out = new ArrayList<>();
    Path v2 = CGROUPS.resolve("quackrunner").resolve(slot).resolve("cgroup.procs");
    if (Files.exists(v2)) {
      out.add(v2);
    }
    try (DirectoryStream<Path> hs = Files.newDirectoryStream(CGROUPS)) {
      for (Path h : hs) {
        Path f = h.resolve("quackrunner").resolve(slot).resolve("cgroup.procs");
        if (Files.exists(f)) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static String read(Path f) {
    try {
      return new String(Files.readAllBytes(f), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException | SecurityException e) {
      return "";
    }
  }
}
