package io.quackrunner.bench.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Log latency: the time from a line written in the sandbox to its arrival at an SSE follower. The
 * tool prints {@code date +%s%N} (CLOCK_REALTIME, nanoseconds) every 20 ms, 50 lines a run; each
 * follower stamps each line with {@link Instant#now()} on arrival. Same host, same clock. The first
 * 5 lines of a run are left out: a follower that connected after them gets them replayed from the
 * stored log, which measures its connect time, not the stream.
 *
 * <p>Usage: {@code bin/bench-service logs [RUNS]} (default 20 runs per follower count, 1 and 10
 * followers, on a child-JVM server).
 */
public final class LogLatencyBench {
  private LogLatencyBench() {}

  /** Runs the benchmark and prints its table. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    BenchTools t = BenchTools.create();
    try (ServerProcess s = ServerProcess.start(t, 2, 64)) {
      Client client = new Client(s.uri, t.token);
      System.out.printf(
          "log line latency, sandbox write to SSE arrival, %d runs x 45 lines per row%n", runs);
      System.out.printf(
          "%10s %8s %9s %9s %9s %9s%n",
          "followers", "lines", "p50 ms", "p95 ms", "p99 ms", "max ms");
      long n = 0;
      for (int followers : new int[] {1, 10}) {
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        for (int r = 0; r < runs; r++) {
          String id = client.post("/runs", BenchTools.request("clock", n++)).get("id").asText();
          List<Thread> ts = new ArrayList<>();
          for (int f = 0; f < followers; f++) {
            ts.add(
                Thread.ofVirtual()
                    .start(
                        () -> {
                          int[] seen = {0};
                          try {
                            client.follow(
                                id,
                                line -> {
                                  Instant now = Instant.now();
                                  long at = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                                  if (seen[0]++ >= 5) {
                                    lat.add(at - Long.parseLong(line.strip()));
                                  }
                                });
                          } catch (Exception e) {
                            throw new IllegalStateException(e);
                          }
                        }));
          }
          for (Thread th : ts) {
            th.join();
          }
        }
        Percentiles p = new Percentiles(lat);
        System.out.printf(
            "%10d %8d %9.2f %9.2f %9.2f %9.2f%n",
            followers, p.n(), p.ms(50), p.ms(95), p.ms(99), p.ms(100));
      }
    }
  }
}
