package io.quackrunner.execution;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the cgroup ITs ({@link CgroupLimitsIT}, {@code sandbox.CgroupV2IT}) in this one JVM, as
 * bin/vm-test does inside each virtual machine (a JVM start costs ~15 s under TCG).
 *
 * <p>Args: the results directory, the mode label. Writes {@code results.txt} there, one line per
 * test ({@code PASS} or {@code FAIL} with its duration and, if it failed, the reason; {@code SKIP})
 * and a closing {@code N passed, N failed} line. Exits 0 only when every test ran and passed and
 * none was skipped.
 */
public final class VmChecks {
  private VmChecks() {}

  /** Runs the checks; see the class comment. */
  public static void main(String[] args) throws Exception {
    long jvmStartMs =
        System.currentTimeMillis()
            - ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
    Path res = Path.of(args[0]);
    Files.writeString(
        res.resolve("timings"),
        "jvm_start_s=" + String.format("%.1f", jvmStartMs / 1000.0) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    AtomicInteger passed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long t0 = System.nanoTime();
    try (PrintStream out =
        new PrintStream(Files.newOutputStream(res.resolve("results.txt")), true, "UTF-8")) {
      java.util.Map<String, Long> startedAt = new java.util.concurrent.ConcurrentHashMap<>();
      TestExecutionListener listener =
          new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier id) {
              startedAt.put(id.getUniqueId(), System.nanoTime());
            }

            private String took(TestIdentifier id) {
              Long t = startedAt.get(id.getUniqueId());
              return t == null
                  ? ""
                  : String.format(" (%.1f s)", (System.nanoTime() - t) / 1_000_000_000.0);
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
              report(out, "SKIP " + id.getDisplayName() + ": " + reason);
              failed.incrementAndGet(); // every check must run in the VM
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult r) {
              if (!id.isTest() && r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
              }
              if (r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                passed.incrementAndGet();
                report(out, "PASS " + id.getDisplayName() + took(id));
              } else {
                failed.incrementAndGet();
                report(
                    out,
                    "FAIL "
                        + id.getDisplayName()
                        + took(id)
                        + ": "
                        + r.getThrowable().map(Throwable::toString).orElse("?").replace('\n', ' '));
              }
            }
          };
      Launcher launcher = LauncherFactory.create();
      launcher.execute(
          LauncherDiscoveryRequestBuilder.request()
              .selectors(
                  selectClass(CgroupLimitsIT.class),
                  selectClass(Class.forName("io.quackrunner.sandbox.CgroupV2IT")))
              .build(),
          listener);
      report(out, passed.get() + " passed, " + failed.get() + " failed");
    }
    String leafCost = leafCycleCost();
    Files.writeString(
        res.resolve("timings"),
        "checks_s=" + (System.nanoTime() - t0) / 1_000_000_000 + "\n" + leafCost + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    System.exit(failed.get() == 0 && passed.get() > 0 ? 0 : 1);
  }

  /**
   * Measures what a fresh per-run leaf costs on cgroup v2: mkdir, the writes of {@code
   * CgroupV2Slot.prepare} (memory.max, memory.swap.max, pids.max, memory.oom.group) and rmdir, 200
   * times under a parent with the controllers enabled; returns {@code leaf_cycle_ms p50=.. p95=..}.
   */
  private static String leafCycleCost() {
    Path parent = null;
    try {
      Path mount = Path.of("/sys/fs/cgroup");
      if (!Files.isRegularFile(mount.resolve("cgroup.controllers"))) {
        return "leaf_cycle_ms=not-v2";
      }
      String own =
          Files.readString(Path.of("/proc/self/cgroup"))
              .lines()
              .filter(l -> l.startsWith("0::"))
              .findFirst()
              .orElseThrow()
              .substring(3)
              .trim();
      Path base = own.equals("/") ? mount : mount.resolve(own.substring(1)).getParent();
      parent = base.resolve("quackrunner").resolve("bench-leaf");
      Files.createDirectories(parent);
      Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids");
      long[] ns = new long[200];
      for (int i = 0; i < ns.length; i++) {
        long t = System.nanoTime();
        Path leaf = Files.createDirectory(parent.resolve("run"));
        Files.writeString(leaf.resolve("memory.max"), Long.toString(512L << 20));
        Files.writeString(leaf.resolve("memory.swap.max"), "0");
        Files.writeString(leaf.resolve("pids.max"), "256");
        Files.writeString(leaf.resolve("memory.oom.group"), "1");
        Files.delete(leaf);
        ns[i] = System.nanoTime() - t;
      }
      java.util.Arrays.sort(ns);
      return String.format("leaf_cycle_ms p50=%.2f p95=%.2f (n=200)", ns[100] / 1e6, ns[190] / 1e6);
    } catch (Exception e) {
      return "leaf_cycle_ms=failed: " + e;
    } finally {
      if (parent != null) {
        try {
          Files.deleteIfExists(parent);
        } catch (java.io.IOException ignored) {
          // left for the next run
        }
      }
    }
  }

  private static void report(PrintStream out, String line) {
    out.println(line);
    System.out.println("vm-check: " + line);
  }
}
