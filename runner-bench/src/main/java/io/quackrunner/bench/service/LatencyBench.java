package io.quackrunner.bench.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.bench.Baselines;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.sandbox.SandboxConfig;
import io.quackrunner.server.GatewayServer;
import io.quackrunner.server.ServerOptions;
import io.quackrunner.service.LedgerReceiptIssuer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end latency of one trivial run through {@code POST /runs?wait=30} of an in-process gateway
 * on loopback, interleaved round by round with the same command under {@code runner exec}'s engine
 * ({@link Executor}), bare bubblewrap and plain fork-exec (as {@code
 * io.quackrunner.bench.OverheadBench} does); then where a service run's time goes, phase by phase.
 *
 * <p>Usage: {@code bin/bench-service latency [ROUNDS [WARMUP]]} (default 200 rounds after 20
 * warm-up rounds; a server that has run many runs has its hot paths compiled, so a large WARMUP
 * measures a long-running gateway and the default one a freshly started one).
 */
public final class LatencyBench {
  private LatencyBench() {}

  /** Runs the benchmark and prints its tables. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    BenchTools tools = BenchTools.create();
    SandboxConfig cfg = SandboxConfig.standard(tools.state);
    Executor executor =
        new Executor(
            BubblewrapSandbox.open(cfg), cfg, RuntimeProfiles.builtIn(), LimitsPolicy.builtIn());
    ReceiptLog log = ReceiptLog.open(tools.state);
    TimingIssuer timing = new TimingIssuer(new LedgerReceiptIssuer(log), log);
    ServerOptions o =
        new ServerOptions(
            0,
            "127.0.0.1",
            tools.state,
            tools.registry,
            tools.state.resolve("tokens/tokens"),
            null,
            Runtime.getRuntime().availableProcessors(),
            64,
            1L << 20,
            1L << 20,
            null,
            null);
    try (GatewayServer server = GatewayServer.start(o, timing, null)) {
      server.service().events(timing); // replaces the Prometheus observer; unused here
      Client client = new Client(server.uri(), tools.token);
      long[] n = {0};
      Map<String, List<String>> serviceIds = new LinkedHashMap<>();
      Map<String, Sampler> cases = new LinkedHashMap<>();
      List<String> bareTrue = Baselines.bareBwrap(BenchTools.TRUE);
      List<String> bareSleep = Baselines.bareBwrap(BenchTools.SLEEP_10MS);
      cases.put("fork-exec /bin/true", () -> Baselines.forkExec(BenchTools.TRUE));
      cases.put("bare bwrap /bin/true", () -> Baselines.forkExec(bareTrue));
      cases.put(
          "executor /bin/true", () -> Baselines.engine(executor, tools.state, BenchTools.TRUE));
      cases.put("service /bin/true", () -> post(client, "true", n[0]++, serviceIds));
      cases.put("fork-exec sleep 10ms", () -> Baselines.forkExec(BenchTools.SLEEP_10MS));
      cases.put("bare bwrap sleep 10ms", () -> Baselines.forkExec(bareSleep));
      cases.put(
          "executor sleep 10ms",
          () -> Baselines.engine(executor, tools.state, BenchTools.SLEEP_10MS));
      cases.put("service sleep 10ms", () -> post(client, "sleep10", n[0]++, serviceIds));
      for (int i = 0; i < warmup; i++) {
        for (Sampler s : cases.values()) {
          s.sample();
        }
      }
      serviceIds.clear();
      Map<String, long[]> samples = new LinkedHashMap<>();
      cases.keySet().forEach(k -> samples.put(k, new long[rounds]));
      Map<String, Long> sendAt = new java.util.HashMap<>();
      Map<String, Long> recvAt = new java.util.HashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, Sampler> e : cases.entrySet()) {
          long t0 = System.nanoTime();
          long dt = e.getValue().sample();
          if (e.getKey().startsWith("service")) {
            String id = lastId;
            sendAt.put(id, t0);
            recvAt.put(id, t0 + dt);
          }
          samples.get(e.getKey())[r] = dt;
        }
      }
      System.out.printf(
          "per-run latency, %d interleaved rounds after %d warm-up rounds, %d cores, cgroup"
              + " favordynmods %s; service = POST /runs?wait=30 to an in-process server on"
              + " loopback%n",
          rounds,
          warmup,
          Runtime.getRuntime().availableProcessors(),
          HostProbe.favorDynmods(Path.of("/proc/self/mountinfo")));
      System.out.printf(
          "%-24s %9s %9s %9s %14s%n", "case", "p50 ms", "p95 ms", "p99 ms", "p50/bare bwrap");
      double bareTrueP50 = new Percentiles(samples.get("bare bwrap /bin/true")).ms(50);
      double bareSleepP50 = new Percentiles(samples.get("bare bwrap sleep 10ms")).ms(50);
      for (Map.Entry<String, long[]> e : samples.entrySet()) {
        Percentiles s = new Percentiles(e.getValue());
        double base = e.getKey().contains("sleep") ? bareSleepP50 : bareTrueP50;
        System.out.printf(
            "%-24s %9.2f %9.2f %9.2f %13.2fx%n",
            e.getKey(), s.ms(50), s.ms(95), s.ms(99), s.ms(50) / base);
      }
      System.out.println();
      phases(timing, serviceIds, sendAt, recvAt);
    } finally {
      log.close();
    }
  }

  private static void phases(
      TimingIssuer timing,
      Map<String, List<String>> ids,
      Map<String, Long> sendAt,
      Map<String, Long> recvAt) {
    System.out.println("where a service run's time goes, p50 ms per phase (phases sum to ~total)");
    List<String> names =
        List.of(
            "http in + admit",
            "  of which admit",
            "queue, inputs, store",
            "setup",
            "exec",
            "teardown",
            "collect",
            "reports",
            "sign",
            "ledger append",
            "respond",
            "total");
    System.out.printf("%-22s", "phase");
    ids.keySet().forEach(k -> System.out.printf(" %16s", k));
    System.out.println();
    Map<String, Map<String, List<Long>>> byTool = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : ids.entrySet()) {
      Map<String, List<Long>> m = new LinkedHashMap<>();
      names.forEach(nm -> m.put(nm, new ArrayList<>()));
      for (String id : e.getValue()) {
        TimingIssuer.Seen s = timing.runs.get(id);
        if (s == null || s.issueEnd == 0 || !sendAt.containsKey(id)) {
          continue;
        }
        Map<String, Long> p = s.phases;
        long engine = p.values().stream().mapToLong(Long::longValue).sum();
        m.get("http in + admit").add(s.admitEnd - sendAt.get(id));
        m.get("  of which admit").add(s.admitNanos);
        m.get("queue, inputs, store").add(s.issueStart - s.admitEnd - engine);
        for (String ph : List.of("setup", "exec", "teardown", "collect", "reports")) {
          m.get(ph).add(p.getOrDefault(ph, 0L));
        }
        m.get("sign").add(s.signNanos);
        m.get("ledger append").add(s.issueEnd - s.issueStart - s.signNanos);
        m.get("respond").add(recvAt.get(id) - s.issueEnd);
        m.get("total").add(recvAt.get(id) - sendAt.get(id));
      }
      byTool.put(e.getKey(), m);
    }
    for (String nm : names) {
      System.out.printf("%-22s", nm);
      for (Map<String, List<Long>> m : byTool.values()) {
        System.out.printf(" %16.2f", new Percentiles(m.get(nm)).ms(50));
      }
      System.out.println();
    }
  }

  private static String lastId;

  private static long post(Client c, String tool, long n, Map<String, List<String>> ids)
      throws Exception {
    long t0 = System.nanoTime();
    JsonNode r = c.post("/runs?wait=30", BenchTools.request(tool, n));
    long dt = System.nanoTime() - t0;
    if (!r.get("status").asText().equals("SUCCEEDED")) {
      throw new IllegalStateException("service run failed: " + r);
    }
    lastId = r.get("id").asText();
    ids.computeIfAbsent(tool.equals("true") ? "/bin/true" : "sleep 10ms", k -> new ArrayList<>())
        .add(lastId);
    return dt;
  }

  @FunctionalInterface
  private interface Sampler {
    long sample() throws Exception;
  }
}
