package io.quackrunner.bench.service;

import io.quackrunner.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one run costs PostgreSQL (issue 13): three gateway nodes ({@code runner serve --database URL
 * --node-id nI --content-dir DIR}, child JVMs with 2 slots each) on one throwaway PostgreSQL 15
 * with {@code pg_stat_statements} ({@code track=all}, {@code track_planning=on}), running {@code
 * /bin/true} submitted round robin with {@code POST /runs?wait=60}.
 *
 * <p>Three phases per server: an idle window (the nodes' heartbeats and sweeps alone), runs one at
 * a time (the statement counters are read before and after each, giving the p50 and p90 of
 * statements and database time per run), and runs from 9 clients at once (the totals per run with
 * the idle rate subtracted, the server's CPU per run, the ledger appends per second from three
 * nodes, the append transaction's statements, and the top 10 statements); meanwhile a {@link
 * HeadLockProbe} samples how much of the time the ledger's head row is held. Database time is
 * {@code total_exec_time + total_plan_time} of top-level statements: time inside the server,
 * including lock and WAL-flush waits, excluding the client's round trips. The ceiling printed is
 * the arithmetic {@code cores × 1000 ms / ms per run}.
 *
 * <p>Usage: {@code bin/bench-service pgcost [RUNS] [SEQUENTIAL] [on|off|both]} (defaults 300, 60,
 * both: fsync on first, then off).
 */
public final class PgCostBench {
  private static final int NODES = 3;
  private static final int CLIENTS = 9;
  private static final long IDLE_MS = 10_000;
  private static final int WARM_UP = 30;
  private static final long WAL_REPORT_MS = 1_500;
  private static final long PROBE_MS = 5;

  /** The lease check of every fenced write, as matched after constants became {@code ?}. */
  private static final String FENCE =
      "SELECT ? FROM nodes WHERE id = ? AND epoch = ? AND state = ? FOR SHARE";

  private PgCostBench() {}

  /** Runs the benchmark and prints its figures. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int sequential = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    String fsync = args.length > 2 ? args[2] : "both";
    List<Boolean> modes =
        switch (fsync) {
          case "on" -> List.of(true);
          case "off" -> List.of(false);
          case "both" -> List.of(true, false);
          default -> throw new IllegalArgumentException("fsync must be on, off or both: " + fsync);
        };
    System.out.printf(
        "PostgreSQL cost per run: %d nodes x 2 slots, /bin/true, POST /runs?wait=60 round robin;"
            + " %d cores here%n",
        NODES, Runtime.getRuntime().availableProcessors());
    for (boolean on : modes) {
      measure(on, runs, sequential);
    }
  }

  private static void measure(boolean fsync, int runs, int sequential) throws Exception {
    System.out.printf("%n== fsync=%s ==%n", fsync ? "on" : "off");
    try (PostgresServer pg =
        PostgresServer.builder()
            .fsync(fsync)
            .setting("shared_preload_libraries", "pg_stat_statements")
            .setting("pg_stat_statements.track", "all")
            .setting("pg_stat_statements.track_planning", "on")
            .setting("track_wal_io_timing", "on")
            .start()) {
      String auth = "?user=" + PostgresServer.USER + "&password=" + PostgresServer.PASSWORD;
      String url = pg.createDatabase("qr") + auth;
      Path content = Files.createTempDirectory("qr-bench-pg-content-");
      BenchTools first = BenchTools.create();
      List<ServerProcess> nodes = new ArrayList<>();
      try (StatementStats stats = StatementStats.open(pg.jdbcUrl("postgres") + auth, "qr")) {
        for (int i = 0; i < NODES; i++) {
          BenchTools t = i == 0 ? first : first.sibling();
          nodes.add(
              ServerProcess.start(
                  t,
                  2,
                  256,
                  List.of(
                      "--database",
                      url,
                      "--migrate",
                      "--node-id",
                      "n" + i,
                      "--content-dir",
                      content.toString())));
        }
        List<Client> clients = new ArrayList<>();
        for (ServerProcess n : nodes) {
          clients.add(new Client(n.uri, first.token));
        }
        AtomicLong n = new AtomicLong();
        drive(clients, CLIENTS, WARM_UP, n, new ArrayList<>());
        HeadLockProbe probe = HeadLockProbe.open(url, PROBE_MS);

        // Idle: the nodes' own statements (heartbeats, sweeps, queue polls) per second.
        stats.reset();
        double cpu0 = stats.cpuSeconds();
        StatementStats.Wal wal0 = stats.wal();
        long t0 = System.nanoTime();
        Thread.sleep(IDLE_MS);
        StatementStats.Sums idle = stats.sums();
        double idleSecs = (System.nanoTime() - t0) / 1e9;
        double bgCpu = (stats.cpuSeconds() - cpu0) / idleSecs;
        StatementStats.Wal idleWal = stats.wal().minus(wal0);
        double bgCalls = idle.calls() / idleSecs;
        double bgMs = idle.ms() / idleSecs;
        double bgSyncs = idleWal.syncs() / idleSecs;
        double bgSyncMs = idleWal.syncMs() / idleSecs;
        System.out.printf(
            "idle %.1f s, no runs: %.1f statements/s, %.2f ms database time/s, %.1f WAL syncs/s"
                + " (%.2f ms/s), server CPU %.3f cores%n",
            idleSecs, bgCalls, bgMs, bgSyncs, bgSyncMs, bgCpu);

        // One run at a time: the counters before and after each run.
        List<Double> calls = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        List<Long> latency = new ArrayList<>();
        long seqSize0 = ledgerSize(url);
        stats.reset();
        wal0 = stats.wal();
        probe.start();
        t0 = System.nanoTime();
        for (int i = 0; i < sequential; i++) {
          StatementStats.Sums before = stats.sums();
          long s0 = System.nanoTime();
          post(clients.get(i % NODES), n.getAndIncrement());
          latency.add(System.nanoTime() - s0);
          StatementStats.Sums d = stats.sums().minus(before);
          calls.add((double) d.calls());
          ms.add(d.ms());
        }
        double seqRunSecs = (System.nanoTime() - t0) / 1e9;
        long[] seqHeld = probe.stop();
        List<StatementStats.Row> seqRows = stats.rows();
        Thread.sleep(WAL_REPORT_MS);
        double seqSecs = (System.nanoTime() - t0) / 1e9;
        StatementStats.Wal seqWal = stats.wal().minus(wal0);
        double seqSyncs = (seqWal.syncs() - bgSyncs * seqSecs) / sequential;
        double seqSyncMs = (seqWal.syncMs() - bgSyncMs * seqSecs) / sequential;
        Percentiles pl = new Percentiles(latency);
        System.out.printf(
            "one at a time, %d runs: statements per run p50 %.0f p90 %.0f; database ms per run p50"
                + " %.2f p90 %.2f (background in a window of the run's length: %.2f statements,"
                + " %.3f ms); WAL syncs per run %.1f, %.2f ms; run latency p50 %.1f ms%n",
            sequential,
            rank(calls, 50),
            rank(calls, 90),
            rank(ms, 50),
            rank(ms, 90),
            bgCalls * pl.ms(50) / 1000,
            bgMs * pl.ms(50) / 1000,
            seqSyncs,
            seqSyncMs,
            pl.ms(50));
        StatementStats.Wal seqW = seqWal;
        ledger(
            seqRows,
            ledgerSize(url) - seqSize0,
            seqRunSecs,
            seqW.syncs() == 0 ? 0 : seqW.syncMs() / seqW.syncs(),
            seqHeld);

        // Concurrent: totals per run, the server's CPU, the ledger from three nodes.
        long size0 = ledgerSize(url);
        stats.reset();
        cpu0 = stats.cpuSeconds(probe.pid());
        probe.start();
        wal0 = stats.wal();
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        t0 = System.nanoTime();
        drive(clients, CLIENTS, runs, n, lat);
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = stats.cpuSeconds(probe.pid()) - cpu0;
        long[] held = probe.stop();
        probe.close();
        StatementStats.Sums total = stats.sums();
        List<StatementStats.Row> rows = stats.rows();
        Thread.sleep(WAL_REPORT_MS);
        StatementStats.Wal wal = stats.wal().minus(wal0);
        double walSecs = (System.nanoTime() - t0) / 1e9;
        long appended = ledgerSize(url) - size0;
        double netCalls = (total.calls() - bgCalls * secs) / runs;
        double netMs = (total.ms() - bgMs * secs) / runs;
        double netCpuMs = (cpu - bgCpu * secs) * 1000 / runs;
        double syncs = (wal.syncs() - bgSyncs * walSecs) / runs;
        double syncMs = (wal.syncMs() - bgSyncMs * walSecs) / runs;
        double syncEach = wal.syncs() == 0 ? 0 : wal.syncMs() / wal.syncs();
        StatementStats.Row lock = find(rows, "FROM ledger_head FOR UPDATE");
        double lockMs = lock == null ? 0 : lock.totalMs() / runs;
        Percentiles p = new Percentiles(lat);
        System.out.printf(
            "%d clients at once, %d runs in %.1f s = %.1f runs/s (latency p50 %.1f ms, p99 %.1f"
                + " ms)%n",
            CLIENTS, runs, secs, runs / secs, p.ms(50), p.ms(99));
        System.out.printf(
            "  per run: %.1f statements (all %.1f, background %.1f); database ms %.2f (all %.2f),"
                + " of which %.2f waiting for the ledger head row, %.2f without it; WAL %d bytes, %.2f"
                + " syncs, %.2f ms of sync (%.3f ms each); server CPU ms %.2f (all %.2f)%n",
            netCalls,
            (double) total.calls() / runs,
            bgCalls * secs / runs,
            netMs,
            total.ms() / runs,
            lockMs,
            netMs - lockMs,
            wal.bytes() / runs,
            syncs,
            syncMs,
            syncEach,
            netCpuMs,
            cpu * 1000 / runs);
        long nested = rows.stream().filter(r -> !r.toplevel()).mapToLong(r -> r.calls()).sum();
        System.out.printf(
            "  (nested statements, inside functions or triggers, not in the sums: %d)%n", nested);
        ledger(rows, appended, secs, syncEach, held);
        int cores = Runtime.getRuntime().availableProcessors();
        double quiet = rank(ms, 50);
        double busy = netMs - lockMs;
        System.out.printf(
            "  ceiling of one PostgreSQL server with %d cores at this cost:%n"
                + "    %d x 1000 ms / %.2f database ms per run (p50, one at a time) = %.0f runs/s%n"
                + "    %d x 1000 ms / %.2f database ms per run (at once, lock wait left out) = %.0f"
                + " runs/s%n"
                + "    %d x 1000 ms / %.2f ms of the server's CPU per run (at once) = %.0f runs/s%n"
                + "    WAL: %.2f syncs per run x %.3f ms = %.2f ms of flushing per run, %s runs/s"
                + " if no two commits shared a flush (PostgreSQL's flushes do cover commits queued"
                + " behind them)%n",
            cores,
            cores,
            quiet,
            cores * 1000 / quiet,
            cores,
            busy,
            cores * 1000 / busy,
            cores,
            netCpuMs,
            cores * 1000 / netCpuMs,
            syncs,
            syncEach,
            syncs * syncEach,
            syncs * syncEach > 0
                ? String.format("%.0f", 1000 / (syncs * syncEach))
                : "no limit of");
        System.out.printf("  top 10 statements by total time (exec + plan):%n");
        System.out.printf(
            "  %9s %8s %10s %9s %9s  %s%n",
            "calls", "per run", "total ms", "mean ms", "plan ms", "query");
        for (StatementStats.Row r : rows.stream().filter(r -> r.toplevel()).limit(10).toList()) {
          String q = r.query().length() > 100 ? r.query().substring(0, 100) + "…" : r.query();
          System.out.printf(
              "  %9d %8.2f %10.1f %9.3f %9.1f  %s%n",
              r.calls(),
              (double) r.calls() / runs,
              r.totalMs(),
              r.execMs() / Math.max(1, r.calls()),
              r.planMs(),
              q);
        }
        System.out.printf(
            "  statements: %d kinds, %d calls in all%n",
            rows.stream().filter(r -> r.toplevel()).count(), total.calls());
        System.out.printf("  every statement with at least 0.5 calls per run, most calls first:%n");
        rows.stream()
            .filter(r -> r.toplevel() && r.calls() >= runs / 2)
            .sorted((a, b) -> Long.compare(b.calls(), a.calls()))
            .forEach(
                r ->
                    System.out.printf(
                        "  %8.2f  %s%n",
                        (double) r.calls() / runs,
                        r.query().length() > 110 ? r.query().substring(0, 110) + "…" : r.query()));
      } finally {
        for (ServerProcess s : nodes) {
          s.close();
        }
      }
    }
  }

  /**
   * Prints the appends per second and the append transaction of {@code PostgresLedgerStore}: the
   * statements from {@code SELECT … FOR UPDATE} on the head row to the commit, during which every
   * other node's append waits. The commit's WAL flush happens after the {@code COMMIT} statement's
   * own time in {@code pg_stat_statements}, so one mean WAL sync ({@code syncEach}) stands for it.
   */
  private static void ledger(
      List<StatementStats.Row> rows, long appended, double secs, double syncEach, long[] probe) {
    StatementStats.Row lock = find(rows, "FROM ledger_head FOR UPDATE");
    long txns = lock == null ? 0 : lock.calls();
    double held = 0;
    int statements = 0;
    for (String part :
        List.of(
            FENCE,
            "SELECT hash FROM ledger_nodes WHERE level",
            "INSERT INTO ledger_entries",
            "INSERT INTO ledger_nodes",
            "UPDATE ledger_head SET size")) {
      StatementStats.Row r = find(rows, part);
      if (r != null && txns > 0) {
        // The fence check also runs outside appends; count one per transaction.
        double per = (double) r.calls() / txns;
        if (part.equals(FENCE)) {
          per = 1;
        }
        held += r.totalMs() / r.calls() * per;
        statements += (int) Math.round(per);
      }
    }
    System.out.printf(
        "  ledger: %d entries from %d nodes in %.1f s = %.1f appends/s, in %d append transactions"
            + " (%.2f entries each)%n",
        appended, NODES, secs, appended / secs, txns, txns == 0 ? 0 : (double) appended / txns);
    if (txns > 0) {
      System.out.printf(
          "  append transaction: SELECT … FOR UPDATE mean %.3f ms (the wait for the lock"
              + " included); then %d statements, %.3f ms, and the commit's WAL sync %.3f ms: head"
              + " row held >= %.3f ms, round trips left out; %.0f transactions/s at most, %.0f"
              + " appends/s at %.2f entries each%n",
          lock.totalMs() / txns,
          statements,
          held,
          syncEach,
          held + syncEach,
          1000 / (held + syncEach),
          1000 / (held + syncEach) * appended / txns,
          (double) appended / txns);
      double share = (double) probe[1] / Math.max(1, probe[0]);
      double holdMs = share * secs * 1000 / txns;
      System.out.printf(
          "  head row held (sampled every %d ms, %d samples): %.1f %% of the time = %.3f ms per"
              + " append transaction, round trips and the holder's scheduling included; %.0f"
              + " transactions/s at most%n",
          PROBE_MS, probe[0], share * 100, holdMs, 1000 / holdMs);
    }
  }

  /** Returns the nearest-rank p-th percentile. */
  private static double rank(List<Double> values, double p) {
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /**
   * Returns the top-level statement whose text holds {@code part} once parameters ({@code $3}),
   * string constants and the constant 1 are written {@code ?}: pg_stat_statements keeps the text of
   * the first call it saw, with or without constants made parameters.
   */
  private static StatementStats.Row find(List<StatementStats.Row> rows, String part) {
    for (StatementStats.Row r : rows) {
      if (r.toplevel() && r.query().replaceAll("\\$[0-9]+|'[a-z]+'|\\b1\\b", "?").contains(part)) {
        return r;
      }
    }
    return null;
  }

  private static long ledgerSize(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT size FROM ledger_head")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static void post(Client client, long n) throws Exception {
    var r = client.post("/runs?wait=60", BenchTools.request("true", n));
    if (!r.get("status").asText().equals("SUCCEEDED")) {
      throw new IllegalStateException("run failed: " + r);
    }
  }

  private static void drive(
      List<Client> clients, int threads, int runs, AtomicLong n, List<Long> lat)
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
                        long k = n.getAndIncrement();
                        long t0 = System.nanoTime();
                        post(clients.get((int) (k % clients.size())), k);
                        lat.add(System.nanoTime() - t0);
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
