package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.LimitsRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each cgroup-enforced limit is held and named, peak memory is true for every run, and the cgroup's
 * total CPU time is enforced while the run executes. Runs on this host (cgroup v1/hybrid) in the
 * suite, and on cgroup v2 kernels inside bin/vm-test's virtual machines (VmChecks).
 */
class CgroupLimitsIT {
  private static ExecHarness h;

  @BeforeAll
  static void open() throws Exception {
    h = new ExecHarness();
  }

  private static LimitsRequest lim(Long wall, Long cpu, Long mem, Long pids) {
    return new LimitsRequest(wall, cpu, mem, pids, null, null, null, null, null);
  }

  private static ExecutionResult py(LimitsRequest l, String code) {
    return h.run(l, null, "python-3.11", "python3", "-c", code);
  }

  @Test
  void anOomKillIsTheMemoryLimit() {
    ExecutionResult r =
        py(
            lim(120_000L, null, 64L << 20, null),
            "x = []\nwhile True: x.append(b'\\1' * (8 << 20))");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.MEMORY);
    assertThat(r.peakMemoryBytes()).isGreaterThan(32L << 20).isLessThanOrEqualTo(64L << 20);
  }

  @Test
  void consecutiveRunsEachReportTheirOwnPeakMemory() {
    LimitsRequest l = lim(120_000L, null, 256L << 20, null);
    ExecutionResult big = py(l, "x = b'\\1' * (96 << 20)");
    ExecutionResult small = py(l, "pass");
    ExecutionResult mid = py(l, "x = b'\\1' * (48 << 20)");
    ExecutionResult small2 = py(l, "pass");
    for (ExecutionResult r : new ExecutionResult[] {big, small, mid, small2}) {
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    }
    System.out.printf(
        "peak memory of consecutive runs: %d %d %d %d bytes%n",
        big.peakMemoryBytes(),
        small.peakMemoryBytes(),
        mid.peakMemoryBytes(),
        small2.peakMemoryBytes());
    assertThat(big.peakMemoryBytes()).isGreaterThanOrEqualTo(96L << 20);
    // A stale high-water mark would repeat the first run's peak here.
    assertThat(small.peakMemoryBytes()).isGreaterThan(0).isLessThan(40L << 20);
    assertThat(mid.peakMemoryBytes()).isGreaterThanOrEqualTo(48L << 20).isLessThan(90L << 20);
    assertThat(small2.peakMemoryBytes()).isGreaterThan(0).isLessThan(40L << 20);
  }

  @Test
  void refusedForksAreThePidsLimit() {
    ExecutionResult r =
        h.sh(lim(120_000L, null, null, 8L), "for i in $(seq 64); do sleep 30 & done; wait");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.PIDS);
  }

  @Test
  void theWallTimeoutKillsSetsidDaemonsToo() throws Exception {
    String marker = "81.7" + (System.nanoTime() % 1000);
    ExecutionResult r =
        h.sh(
            lim(3_000L, null, null, null),
            "(setsid sh -c 'while :; do sleep " + marker + "; done' &); sleep " + marker);
    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.WALL_TIME);
    assertThat(AttackIT.alive(marker)).as("processes of the timed-out run").isEmpty();
  }

  @Test
  void parallelSpinnersStopAtTheTotalCpuLimit() {
    ExecutionResult r =
        h.sh(
            lim(120_000L, 2_000L, null, null),
            "for i in 1 2 3 4; do (while :; do :; done) & done; wait");
    System.out.printf("parallel spinners: cpu %d ms, wall %d ms%n", r.cpuTimeMs(), r.wallTimeMs());
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.CPU_TIME);
    // Each spinner's RLIMIT_CPU (2 s) alone would end them one by one (SIGXCPU), and the shell
    // would exit 0 after its wait. The runner's kill of the cgroup on the CPU total is what makes
    // the shell die of SIGKILL: that holds however late the watchdog's tick comes (TCG, a loaded
    // host; a fixed CPU bound failed there at 6.4 s), as long as it comes before all four ran out.
    assertThat(r.signal()).isEqualTo(9);
    assertThat(r.cpuTimeMs()).isGreaterThanOrEqualTo(2_000L);
  }

  @Test
  void aChainOfForksStopsAtTheTotalCpuLimit() {
    ExecutionResult r =
        py(
            lim(120_000L, 2_000L, null, null),
            """
            import os, time
            while True:
                t = time.process_time()
                while time.process_time() - t < 1.5:
                    pass
                pid = os.fork()
                if pid:
                    os.waitpid(pid, 0)
                    os._exit(0)
            """);
    System.out.printf("fork chain: cpu %d ms, wall %d ms%n", r.cpuTimeMs(), r.wallTimeMs());
    // No process of the chain reaches its own RLIMIT_CPU: without the cgroup total it would run
    // until the 120 s wall limit (TIMED_OUT). No upper CPU bound: a late watchdog tick only adds.
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.CPU_TIME);
    assertThat(r.signal()).isEqualTo(9);
    assertThat(r.cpuTimeMs()).isGreaterThanOrEqualTo(2_000L);
  }
}
