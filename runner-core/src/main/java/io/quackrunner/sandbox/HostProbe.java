package io.quackrunner.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads the facts about this host that {@code runner info} and receipts report. */
public final class HostProbe {
  /** The default bubblewrap binary. */
  public static final Path BWRAP = Path.of("/usr/bin/bwrap");

  private HostProbe() {}

  /**
   * Returns ordered facts: {@code sandbox.backend}, {@code sandbox.version} ("missing" when
   * bubblewrap is absent), the cgroup facts of {@link #cgroupFacts}, {@code cgroup.favordynmods}
   * ({@link #favorDynmods}), {@code kernel}, {@code os}, {@code arch}, {@code jdk}.
   */
  public static Map<String, String> facts() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("sandbox.backend", "bubblewrap");
    m.put("sandbox.version", bwrapVersion(BWRAP));
    m.putAll(cgroupFacts(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup")));
    m.put("cgroup.favordynmods", favorDynmods(Path.of("/proc/self/mountinfo")));
    m.put("kernel", System.getProperty("os.version"));
    m.put("os", System.getProperty("os.name").toLowerCase());
    m.put("arch", arch());
    m.put("jdk", Runtime.version().toString() + " (" + System.getProperty("java.vendor") + ")");
    return m;
  }

  /**
   * Returns the cgroup facts, read without changing anything: {@code cgroup.mode} ({@code v2},
   * {@code hybrid}, {@code v1}, {@code none}); {@code cgroup.root}, the directory the runner's
   * slots go under (v2: the delegated root); {@code cgroup.controllers}, those available there;
   * {@code cgroup.features}, the kernel features the sandbox uses ({@code cgroup.kill}, {@code
   * memory.peak}, {@code memory.oom.group}, each followed by {@code =yes} or {@code =no}) and how
   * peak memory is kept per run ({@code peak=fresh-leaf}: a new cgroup per run, so no reset is
   * needed; {@code peak=max_usage_in_bytes} on v1; {@code memory.peak} reset by writing, Linux ≥
   * 6.12, is not used). A fact that cannot be read is {@code unreadable: ...}.
   */
  public static Map<String, String> cgroupFacts(Path mount, Path selfCgroup) {
    Map<String, String> m = new LinkedHashMap<>();
    CgroupMode mode = CgroupMode.detect(mount);
    m.put("cgroup.mode", mode.name().toLowerCase());
    try {
      switch (mode) {
        case V2 -> {
          Path root = CgroupV2Tree.delegatedRoot(mount, selfCgroup);
          m.put("cgroup.root", root.toString());
          m.put(
              "cgroup.controllers",
              String.join(
                  ",", CgroupV2Tree.words(CgroupFiles.read(root.resolve("cgroup.controllers")))));
          int[] k = kernelVersion();
          boolean kill = k[0] > 5 || (k[0] == 5 && k[1] >= 14);
          boolean peak = k[0] > 5 || (k[0] == 5 && k[1] >= 19);
          Path probe = root.resolve("quackrunner");
          if (Files.isDirectory(probe)) {
            kill = Files.exists(probe.resolve("cgroup.kill"));
            peak = Files.exists(probe.resolve("memory.peak"));
          }
          m.put(
              "cgroup.features",
              "cgroup.kill="
                  + yes(kill)
                  + " memory.peak="
                  + yes(peak)
                  + " memory.oom.group=yes peak="
                  + (peak ? "fresh-leaf" : "sampled-memory.current"));
        }
        case HYBRID, V1 -> {
          m.put("cgroup.root", mount.toString());
          List<String> controllers = new java.util.ArrayList<>();
          for (String c : List.of("memory", "pids", "cpuacct", "freezer")) {
            if (Files.isDirectory(mount.resolve(c))) {
              controllers.add(c);
            }
          }
          m.put("cgroup.controllers", String.join(",", controllers) + " (v1)");
          // the root cgroup has no cgroup.kill file: look at the pool's, else the kernel version
          int[] k = kernelVersion();
          boolean kill =
              mode == CgroupMode.HYBRID
                  && (Files.exists(mount.resolve("unified/quackrunner/cgroup.kill"))
                      || (!Files.isDirectory(mount.resolve("unified/quackrunner"))
                          && (k[0] > 5 || (k[0] == 5 && k[1] >= 14))));
          m.put(
              "cgroup.features",
              "cgroup.kill="
                  + yes(kill)
                  + " freezer="
                  + yes(Files.isDirectory(mount.resolve("freezer")))
                  + " peak=max_usage_in_bytes");
        }
        case NONE -> m.put("cgroup.root", "none");
      }
    } catch (RuntimeException e) {
      m.put("cgroup.root", "unreadable: " + e.getMessage());
    }
    return m;
  }

  /**
   * Returns whether the kernel's cgroups run with {@code favordynmods} (Linux ≥ 6.0, {@code
   * Documentation/admin-guide/cgroup-v2.rst}): {@code on} when a {@code cgroup2} or {@code cgroup}
   * mount of {@code mountinfo} (the proc(5) format of {@code /proc/self/mountinfo}) lists it among
   * its superblock options, {@code off} when there are cgroup mounts and none does, {@code none}
   * without any, {@code unreadable: ...} when the file cannot be read.
   *
   * <p>Why it matters: the flag is global (it takes the kernel's {@code cgroup_threadgroup_rwsem}
   * out of its per-CPU fast path). Without it, every move of a process into a cgroup — the
   * launcher's write to {@code cgroup.procs}, once per run — waits for an RCU grace period unless
   * another move happened just before: about 10 ms per run on a host that is otherwise idle between
   * runs (docs/SANDBOX.md "cgroups"; {@code bin/cgroup-favordynmods} turns it on).
   */
  public static String favorDynmods(Path mountinfo) {
    List<String> lines;
    try {
      lines = Files.readAllLines(mountinfo, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
    boolean any = false;
    for (String line : lines) {
      // "36 35 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate"
      int sep = line.indexOf(" - ");
      if (sep < 0) {
        continue;
      }
      String[] tail = line.substring(sep + 3).split(" ");
      if (tail.length < 3 || !(tail[0].equals("cgroup2") || tail[0].equals("cgroup"))) {
        continue;
      }
      any = true;
      if (List.of(tail[2].split(",")).contains("favordynmods")) {
        return "on";
      }
    }
    return any ? "off" : "none";
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  /** Returns {major, minor} of the running kernel, or {0, 0} when unparsable. */
  static int[] kernelVersion() {
    java.util.regex.Matcher mt =
        java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)")
            .matcher(System.getProperty("os.version"));
    return mt.find()
        ? new int[] {Integer.parseInt(mt.group(1)), Integer.parseInt(mt.group(2))}
        : new int[] {0, 0};
  }

  /** Returns the machine architecture in the MPLP spelling ({@code x86_64}, {@code arm64}). */
  public static String arch() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "arm64";
      default -> a;
    };
  }

  /** Returns the version bubblewrap prints ({@code 0.8.0}) or {@code missing}. */
  public static String bwrapVersion(Path bwrap) {
    if (!Files.isExecutable(bwrap)) {
      return "missing";
    }
    try {
      Process p =
          new ProcessBuilder(List.of(bwrap.toString(), "--version"))
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "unusable";
      }
      return out.replaceFirst("^bubblewrap\\s+", "");
    } catch (IOException e) {
      return "unusable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unusable";
    }
  }
}
