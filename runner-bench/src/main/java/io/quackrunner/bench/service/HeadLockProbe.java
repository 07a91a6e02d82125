package io.quackrunner.bench.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples whether the ledger's head row is locked: every {@code periodMs}, whether the transaction
 * named by the row's {@code xmax} is one a session is still in ({@code pg_stat_activity
 * .backend_xid}). An append locks the row ({@code SELECT … FOR UPDATE}) and updates it before its
 * commit, so a live {@code xmax} means an append holds the row, its commit's WAL flush included.
 *
 * <p>The share of samples that found it held is the lock's utilization; divided by the append
 * transactions per second it gives how long each held it, client round trips and scheduling
 * included. The probe's statement names {@code pg_stat_activity}, which {@link StatementStats}
 * leaves out, and its session's CPU is read apart ({@link #pid()}).
 */
final class HeadLockProbe implements AutoCloseable {
  private static final String SAMPLE =
      "SELECT count(*) FROM pg_stat_activity a, (SELECT xmax FROM ledger_head) h"
          + " WHERE h.xmax <> '0'::xid AND a.backend_xid = h.xmax";

  private final Connection c;
  private final long pid;
  private final long periodMs;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong held = new AtomicLong();
  private volatile boolean running;
  private Thread thread;

  private HeadLockProbe(Connection c, long pid, long periodMs) {
    this.c = c;
    this.pid = pid;
    this.periodMs = periodMs;
  }

  /** Connects to the nodes' database ({@code url}, a JDBC URL with user and password). */
  static HeadLockProbe open(String url, long periodMs) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      return new HeadLockProbe(c, r.getLong(1), periodMs);
    }
  }

  /** Returns the process id of the probe's server session. */
  long pid() {
    return pid;
  }

  /** Starts sampling from zero. */
  void start() {
    samples.set(0);
    held.set(0);
    running = true;
    thread =
        Thread.ofPlatform()
            .daemon()
            .name("head-lock-probe")
            .start(
                () -> {
                  try (Statement s = c.createStatement()) {
                    while (running) {
                      try (ResultSet r = s.executeQuery(SAMPLE)) {
                        r.next();
                        samples.incrementAndGet();
                        if (r.getLong(1) > 0) {
                          held.incrementAndGet();
                        }
                      }
                      Thread.sleep(periodMs);
                    }
                  } catch (SQLException | InterruptedException e) {
                    throw new IllegalStateException("head lock probe: " + e, e);
                  }
                });
  }

  /** Stops sampling; returns {samples, samples that found the row held}. */
  long[] stop() throws InterruptedException {
    running = false;
    thread.join();
    return new long[] {samples.get(), held.get()};
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
