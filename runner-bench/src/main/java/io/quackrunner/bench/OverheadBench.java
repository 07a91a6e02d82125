package io.quackrunner.bench;

import io.quackrunner.execution.Executor;
import io.quackrunner.images.ImageStore;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.sandbox.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-run overhead of {@code runner exec}'s engine against bare bubblewrap and plain fork-exec,
 * measured interleaved (one of each per round, so machine noise hits all alike) and printed as a
 * table of p50/p95/p99 in milliseconds and the ratio to bare bubblewrap.
 *
 * <p>Usage: {@code bin/bench overhead [ROUNDS] [OCI_ARCHIVE|LAYOUT_DIR [RUNNER_ID]]} (default 200).
 * With an OCI archive of the busybox-1 runner ({@code runners/busybox-1/build.sh}), or a layout of
 * another runner ({@code runner image build}'s, with its RUNNER_ID, e.g. {@code base}), it is
 * imported first (the import time and the store's size are printed) and an image-backed case runs
 * beside the host-backed ones. Needs root, bubblewrap and the built launcher, like the runner
 * itself.
 *
 * <p>The two "idle 50ms" cases sleep (untimed) before each sample: a gateway whose runs arrive one
 * at a time, or a CI script calling {@code runner exec}, starts each run on a host that has been
 * idle, and some kernel costs only show then (the cgroup join's RCU grace period without {@code
 * favordynmods}, docs/SANDBOX.md); back-to-back rounds hide them. Their ratio is to bare bwrap
 * after the same idle time.
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

    String image = null;
    if (args.length > 1) {
      String name = args.length > 2 ? args[2] : "busybox-1";
      long t0 = System.nanoTime();
      var stored = ImageStore.open(state).importFrom(Path.of(args[1]), name, null);
      System.out.printf(
          "image import: %d ms, %s, %d bytes of files, store %s%n",
          (System.nanoTime() - t0) / 1_000_000,
          stored.digest(),
          stored.rootfsBytes(),
          Baselines.du(state.resolve("images")));
      image = name + "@" + stored.digest();
    }
    List<String> bareTrue = Baselines.bareBwrap(List.of("/bin/true"));
    List<String> bareSleep = Baselines.bareBwrap(List.of("/bin/sleep", "0.01"));
    Map<String, Sampler> cases = new LinkedHashMap<>();
    cases.put("fork-exec /bin/true", () -> Baselines.forkExec(List.of("/bin/true")));
    cases.put("bare bwrap /bin/true", () -> Baselines.forkExec(bareTrue));
    cases.put("executor /bin/true", () -> Baselines.engine(executor, state, List.of("/bin/true")));
    if (image != null) {
      String rt = image;
      cases.put(
          "executor image true",
          () -> Baselines.engine(executor, state, rt, List.of("/usr/bin/true")));
    }
    cases.put("bare bwrap idle 50ms", () -> idle(() -> Baselines.forkExec(bareTrue)));
    cases.put(
        "executor idle 50ms",
        () -> idle(() -> Baselines.engine(executor, state, List.of("/bin/true"))));
    cases.put("fork-exec sleep 10ms", () -> Baselines.forkExec(List.of("/bin/sleep", "0.01")));
    cases.put("bare bwrap sleep 10ms", () -> Baselines.forkExec(bareSleep));
    cases.put(
        "executor sleep 10ms",
        () -> Baselines.engine(executor, state, List.of("/bin/sleep", "0.01")));

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
        "per-run latency, %d interleaved rounds, %d cores, cgroup favordynmods %s%n",
        rounds,
        Runtime.getRuntime().availableProcessors(),
        HostProbe.favorDynmods(Path.of("/proc/self/mountinfo")));
    System.out.printf(
        "%-24s %9s %9s %9s %14s%n", "case", "p50 ms", "p95 ms", "p99 ms", "p50/bare bwrap");
    double bareTrueP50 = new Stats(samples.get("bare bwrap /bin/true")).percentileMs(50);
    double bareSleepP50 = new Stats(samples.get("bare bwrap sleep 10ms")).percentileMs(50);
    double bareIdleP50 = new Stats(samples.get("bare bwrap idle 50ms")).percentileMs(50);
    for (Map.Entry<String, long[]> e : samples.entrySet()) {
      Stats s = new Stats(e.getValue());
      double base =
          e.getKey().contains("sleep")
              ? bareSleepP50
              : e.getKey().contains("idle") ? bareIdleP50 : bareTrueP50;
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

  /** Sleeps 50 ms, untimed, then takes the sample. */
  private static long idle(Sampler s) throws Exception {
    Thread.sleep(50);
    return s.sample();
  }
}
