package io.quackrunner.bench.service;

import io.quackrunner.sandbox.HostProbe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of a child-JVM gateway at {@code --concurrency} 1, 2, 4 and 16: trivial runs ({@code
 * /bin/true}) submitted with {@code POST /runs?wait=60} by twice as many client threads as the
 * server runs at once (at least 4), with the CPU the server JVM and its sandboxes used and how busy
 * the whole machine was.
 *
 * <p>Usage: {@code bin/bench-service throughput [RUNS_PER_LEVEL] [WARM_UP_RUNS]} (defaults 200 and
 * 20 per level; a fresh server per level, so its JIT compiles during the warm-up and, with few
 * warm-up runs, during the measured runs too). After the table, the server's CPU per run by thread
 * group at each level (from {@code /proc/PID/task}), which names the threads that bound it.
 */
public final class ThroughputBench {
  private ThroughputBench() {}

  /** Runs the benchmark and prints its table. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    System.out.printf(
        "throughput of /bin/true runs, %d per level after %d warm-up runs, %d cores, cgroup"
            + " favordynmods %s; CPU in cores (CPU seconds per second)%n",
        runs,
        warmUp,
        Runtime.getRuntime().availableProcessors(),
        HostProbe.favorDynmods(Path.of("/proc/self/mountinfo")));
    List<String> breakdown = new ArrayList<>();
    System.out.printf(
        "%11s %8s %9s %9s %9s %11s %12s %13s%n",
        "concurrency",
        "clients",
        "runs/s",
        "p50 ms",
        "p99 ms",
        "server JVM",
        "sandboxes",
        "machine busy");
    for (int c : new int[] {1, 2, 4, 16}) {
      BenchTools t = BenchTools.create();
      try (ServerProcess s = ServerProcess.start(t, c, 1024)) {
        Client client = new Client(s.uri, t.token);
        int clients = Math.max(4, 2 * c);
        AtomicLong n = new AtomicLong();
        drive(client, clients, warmUp, n, new ArrayList<>());
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        double[] cpu0 = s.cpuSeconds();
        Map<String, Double> threads0 = s.threadCpuSeconds();
        MachineCpu m0 = MachineCpu.now();
        long t0 = System.nanoTime();
        drive(client, clients, runs, n, lat);
        double secs = (System.nanoTime() - t0) / 1e9;
        double[] cpu1 = s.cpuSeconds();
        Map<String, Double> threads1 = s.threadCpuSeconds();
        double busy = MachineCpu.now().busySince(m0);
        Percentiles p = new Percentiles(lat);
        System.out.printf(
            "%11d %8d %9.1f %9.1f %9.1f %11.2f %12.2f %12.0f%%%n",
            c,
            clients,
            runs / secs,
            p.ms(50),
            p.ms(99),
            (cpu1[0] - cpu0[0]) / secs,
            (cpu1[1] - cpu0[1]) / secs,
            busy * 100);
        breakdown.add(perThread(c, runs, cpu1[0] - cpu0[0], threads0, threads1));
      }
    }
    System.out.println("server CPU per run (ms) by thread group, largest first:");
    breakdown.forEach(System.out::println);
  }

  /** One line: total server CPU per run, its eight largest thread groups, then the rest. */
  private static String perThread(
      int concurrency,
      int runs,
      double total,
      Map<String, Double> before,
      Map<String, Double> after) {
    List<Map.Entry<String, Double>> largest =
        after.entrySet().stream()
            .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
            .filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
            .limit(8)
            .toList();
    StringBuilder line =
        new StringBuilder(
            String.format("  concurrency %2d: %.1f =", concurrency, total * 1000 / runs));
    double shown = 0;
    for (var e : largest) {
      line.append(String.format(" %s %.1f,", e.getKey(), e.getValue() * 1000 / runs));
      shown += e.getValue();
    }
    // what ended in the window or is smaller than the eight above
    line.append(String.format(" ended or smaller threads %.1f", (total - shown) * 1000 / runs));
    return line.toString();
  }

  private static void drive(Client client, int threads, int runs, AtomicLong n, List<Long> lat)
      throws InterruptedException {
    AtomicLong left = new AtomicLong(runs);
    List<Thread> ts = new ArrayList<>();
    List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < threads; i++) {
      ts.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (left.getAndDecrement() > 0) {
                      try {
                        long t0 = System.nanoTime();
                        var r =
                            client.post(
                                "/runs?wait=60", BenchTools.request("true", n.getAndIncrement()));
                        lat.add(System.nanoTime() - t0);
                        if (!r.get("status").asText().equals("SUCCEEDED")) {
                          throw new IllegalStateException("run failed: " + r);
                        }
                      } catch (Exception e) {
                        errors.add(e);
                        return;
                      }
                    }
                  }));
    }
    for (Thread t : ts) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(errors.size() + " failed, first: " + errors.get(0));
    }
  }
}
