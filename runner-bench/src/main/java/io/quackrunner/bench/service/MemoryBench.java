package io.quackrunner.bench.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Resident memory (VmRSS) of a child-JVM gateway ({@code --concurrency 1}, default JVM heap
 * settings): idle after 20 warm-up runs, with 100 runs queued behind one long run, with 100 live
 * SSE followers on that run, and after everything ended.
 *
 * <p>Usage: {@code bin/bench-service memory [QUEUED] [FOLLOWERS]} (default 100 and 100).
 */
public final class MemoryBench {
  private MemoryBench() {}

  /** Runs the benchmark and prints its table. */
  public static void main(String[] args) throws Exception {
    int queued = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int followers = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    BenchTools t = BenchTools.create();
    try (ServerProcess s = ServerProcess.start(t, 1, queued + 16)) {
      Client client = new Client(s.uri, t.token);
      long n = 0;
      System.out.printf("%-36s %9s%n", "server state", "RSS MiB");
      System.out.printf("%-36s %9.1f%n", "started", s.rssKib() / 1024.0);
      for (int i = 0; i < 20; i++) {
        client.post("/runs?wait=60", BenchTools.request("true", n++));
      }
      Thread.sleep(2000);
      System.out.printf("%-36s %9.1f%n", "idle after 20 runs", s.rssKib() / 1024.0);
      String hang = client.post("/runs", BenchTools.request("hang", n++)).get("id").asText();
      while (!client.get("/runs/" + hang).get("status").asText().equals("RUNNING")) {
        Thread.sleep(20);
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < queued; i++) {
        ids.add(client.post("/runs", BenchTools.request("true", n++)).get("id").asText());
      }
      Thread.sleep(1000);
      System.out.printf("%-36s %9.1f%n", "1 running + " + queued + " queued", s.rssKib() / 1024.0);
      CountDownLatch up = new CountDownLatch(followers);
      List<Thread> ts = new ArrayList<>();
      for (int f = 0; f < followers; f++) {
        ts.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        client.follow(hang, line -> up.countDown());
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }));
      }
      if (!up.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("followers did not all connect");
      }
      Thread.sleep(1000);
      System.out.printf(
          "%-36s %9.1f%n", "... and " + followers + " live SSE followers", s.rssKib() / 1024.0);
      client.delete("/runs/" + hang);
      for (Thread th : ts) {
        th.join();
      }
      for (String id : ids) {
        while (!client.get("/runs/" + id).get("status").asText().equals("SUCCEEDED")) {
          Thread.sleep(50);
        }
      }
      Thread.sleep(2000);
      System.out.printf("%-36s %9.1f%n", "all ended, followers gone", s.rssKib() / 1024.0);
    }
  }
}
