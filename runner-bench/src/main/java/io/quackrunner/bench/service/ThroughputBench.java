package io.quackrunner.bench.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of a child-JVM gateway at {@code --concurrency} 1, 2, 4 and 16: trivial runs ({@code
 * /bin/true}) submitted with {@code POST /runs?wait=60} by twice as many client threads as the
 * server runs at once (at least 4), with the CPU the server JVM and its sandboxes used and how busy
 * the whole machine was.
 *
 * <p>Usage: {@code bin/bench-service throughput [RUNS_PER_LEVEL]} (default 200, after 20 warm-up
 * runs per level).
 */
public final class ThroughputBench {
  private ThroughputBench() {}

  /** Runs the benchmark and prints its table. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    System.out.printf(
        "throughput of /bin/true runs, %d per level, %d cores; CPU in cores (CPU seconds per"
            + " second)%n",
        runs, Runtime.getRuntime().availableProcessors());
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
        drive(client, clients, 20, n, new ArrayList<>());
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        double[] cpu0 = s.cpuSeconds();
        MachineCpu m0 = MachineCpu.now();
        long t0 = System.nanoTime();
        drive(client, clients, runs, n, lat);
        double secs = (System.nanoTime() - t0) / 1e9;
        double[] cpu1 = s.cpuSeconds();
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
      }
    }
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
