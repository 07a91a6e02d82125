package io.quackrunner.bench;

import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Per-run overhead of {@code runner exec}'s engine against bare bubblewrap and plain fork-exec,
 * measured interleaved (one of each per round, so machine noise hits all alike) and printed as a
 * table of p50/p95/p99 in milliseconds and the ratio to bare bubblewrap.
 *
 * <p>Usage: {@code bin/bench overhead [ROUNDS]} (default 200). Needs root, bubblewrap and the built
 * launcher, like the runner itself.
 */
public final class OverheadBench {
  private OverheadBench() {}

  /** Runs the benchmark; args[0] is the number of rounds. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Path state = Files.createTempDirectory("qr-bench-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    SandboxConfig cfg = SandboxConfig.standard(state);
    Executor executor =
        new Executor(
            BubblewrapSandbox.open(cfg), cfg, RuntimeProfiles.builtIn(), LimitsPolicy.builtIn());

    List<String> bareTrue = bareBwrap("/bin/true");
    List<String> bareSleep = bareBwrap("/bin/sleep", "0.01");
    Map<String, Sampler> cases = new LinkedHashMap<>();
    cases.put("fork-exec /bin/true", () -> run(List.of("/bin/true")));
    cases.put("bare bwrap /bin/true", () -> run(bareTrue));
    cases.put("executor /bin/true", () -> exec(executor, state, "/bin/true"));
    cases.put("fork-exec sleep 10ms", () -> run(List.of("/bin/sleep", "0.01")));
    cases.put("bare bwrap sleep 10ms", () -> run(bareSleep));
    cases.put("executor sleep 10ms", () -> exec(executor, state, "/bin/sleep", "0.01"));

    for (int i = 0; i < 20; i++) { // warm-up: JIT, page cache, cgroup slot
      for (Sampler s : cases.values()) {
        s.sample();
      }
    }
    Map<String, long[]> samples = new LinkedHashMap<>();
    cases.keySet().forEach(k -> samples.put(k, new long[rounds]));
    for (int r = 0; r < rounds; r++) {
      for (Map.Entry<String, Sampler> e : cases.entrySet()) {
        samples.get(e.getKey())[r] = e.getValue().sample();
      }
    }
    System.out.printf(
        "per-run latency, %d interleaved rounds, %d cores%n",
        rounds, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "%-24s %9s %9s %9s %14s%n", "case", "p50 ms", "p95 ms", "p99 ms", "p50/bare bwrap");
    double bareTrueP50 = new Stats(samples.get("bare bwrap /bin/true")).percentileMs(50);
    double bareSleepP50 = new Stats(samples.get("bare bwrap sleep 10ms")).percentileMs(50);
    for (Map.Entry<String, long[]> e : samples.entrySet()) {
      Stats s = new Stats(e.getValue());
      double base = e.getKey().contains("sleep") ? bareSleepP50 : bareTrueP50;
      System.out.printf(
          "%-24s %9.2f %9.2f %9.2f %13.2fx%n",
          e.getKey(),
          s.percentileMs(50),
          s.percentileMs(95),
          s.percentileMs(99),
          s.percentileMs(50) / base);
    }
  }

  @FunctionalInterface
  private interface Sampler {
    long sample() throws Exception;
  }

  /** Bare bubblewrap with the same namespaces, uid drop and read-only root as the runner's. */
  private static List<String> bareBwrap(String... cmd) {
    List<String> c =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=969999",
                "--regid=969999",
                "--clear-groups",
                "--",
                "/usr/bin/bwrap",
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-uts",
                "--unshare-cgroup",
                "--unshare-net",
                "--uid",
                "1000",
                "--gid",
                "1000",
                "--cap-drop",
                "ALL",
                "--die-with-parent",
                "--new-session",
                "--ro-bind",
                "/usr",
                "/usr",
                "--symlink",
                "usr/bin",
                "/bin",
                "--symlink",
                "usr/lib",
                "/lib",
                "--symlink",
                "usr/lib64",
                "/lib64",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                "--remount-ro",
                "/",
                "--"));
    c.addAll(List.of(cmd));
    return c;
  }

  private static long run(List<String> cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    int rc = p.waitFor();
    long dt = System.nanoTime() - t0;
    if (rc != 0) {
      throw new IllegalStateException(cmd + " exited " + rc);
    }
    return dt;
  }

  private static long exec(Executor executor, Path state, String... argv) {
    long t0 = System.nanoTime();
    var r =
        executor.execute(
            new ExecRequest(
                null,
                List.of(argv),
                null,
                null,
                state.resolve("out-" + UUID.randomUUID()),
                Map.of(),
                LimitsRequest.DEFAULTS),
            LogListener.NONE);
    long dt = System.nanoTime() - t0;
    if (r.exitCode() == null || r.exitCode() != 0) {
      throw new IllegalStateException("executor run failed: " + r.status());
    }
    return dt;
  }
}
