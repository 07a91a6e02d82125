package io.quackrunner.bench.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One database's statements as PostgreSQL's {@code pg_stat_statements} (1.10, PostgreSQL 15) counts
 * them, and the CPU time of the server's processes from {@code /proc}.
 *
 * <p>This reader is connected to another database ({@code postgres}) than the one it reads ({@code
 * dbid}), so its own queries are never counted in the figures; statements naming {@code
 * pg_stat_activity} (a {@link HeadLockProbe}'s) are left out too.
 */
final class StatementStats implements AutoCloseable {
  /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ; 100 on Linux x86-64). */
  private static final double TICKS = 100.0;

  /** One normalized statement: calls and times in milliseconds, execution and planning. */
  record Row(String query, boolean toplevel, long calls, double execMs, double planMs, long rows) {
    double totalMs() {
      return execMs + planMs;
    }
  }

  /** Top-level statements and their time (execution + planning) in milliseconds. */
  record Sums(long calls, double ms) {
    Sums minus(Sums o) {
      return new Sums(calls - o.calls, ms - o.ms);
    }
  }

  /**
   * The server's WAL activity ({@code pg_stat_wal}; times need {@code track_wal_io_timing=on}):
   * records, bytes, writes and syncs (fsyncs or fdatasyncs), and their time in milliseconds.
   */
  record Wal(long records, long bytes, long writes, long syncs, double writeMs, double syncMs) {
    Wal minus(Wal o) {
      return new Wal(
          records - o.records,
          bytes - o.bytes,
          writes - o.writes,
          syncs - o.syncs,
          writeMs - o.writeMs,
          syncMs - o.syncMs);
    }
  }

  private final Connection c;
  private final long dbid;
  private final long postmaster;

  private StatementStats(Connection c, long dbid, long postmaster) {
    this.c = c;
    this.dbid = dbid;
    this.postmaster = postmaster;
  }

  /**
   * Connects to database {@code postgres} at {@code adminUrl} (a JDBC URL with user and password),
   * creates the extension there, and reads statements of database {@code database}.
   */
  static StatementStats open(String adminUrl, String database) throws SQLException, IOException {
    Connection c = DriverManager.getConnection(adminUrl);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      long dbid;
      try (PreparedStatement p =
          c.prepareStatement("SELECT oid FROM pg_database WHERE datname = ?")) {
        p.setString(1, database);
        try (ResultSet r = p.executeQuery()) {
          r.next();
          dbid = r.getLong(1);
        }
      }
      String data;
      try (ResultSet r = s.executeQuery("SELECT current_setting('data_directory')")) {
        r.next();
        data = r.getString(1);
      }
      long pid = Long.parseLong(Files.readAllLines(Path.of(data, "postmaster.pid")).get(0).strip());
      return new StatementStats(c, dbid, pid);
    }
  }

  /** Forgets every statement counted so far ({@code pg_stat_statements_reset()}). */
  void reset() throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_statements_reset()");
    }
  }

  /**
   * Returns the WAL counters. PostgreSQL 15's processes report them at most once a second, so read
   * them at least a second after the activity to count.
   */
  Wal wal() throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT wal_records, wal_bytes, wal_write, wal_sync, wal_write_time, wal_sync_time"
                    + " FROM pg_stat_wal")) {
      r.next();
      return new Wal(
          r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getDouble(5), r.getDouble(6));
    }
  }

  /** Returns the sums over the database's top-level statements. */
  Sums sums() throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time + total_plan_time), 0)"
                + " FROM pg_stat_statements WHERE dbid = ? AND toplevel"
                + " AND query NOT LIKE '%pg_stat_activity%'")) {
      p.setLong(1, dbid);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return new Sums(r.getLong(1), r.getDouble(2));
      }
    }
  }

  /** Returns every statement of the database, most total time first. */
  List<Row> rows() throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT query, toplevel, calls, total_exec_time, total_plan_time, rows"
                + " FROM pg_stat_statements WHERE dbid = ? AND query NOT LIKE '%pg_stat_activity%'"
                + " ORDER BY total_exec_time + total_plan_time DESC")) {
      p.setLong(1, dbid);
      List<Row> rows = new ArrayList<>();
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          rows.add(
              new Row(
                  r.getString(1).replaceAll("\\s+", " ").strip(),
                  r.getBoolean(2),
                  r.getLong(3),
                  r.getDouble(4),
                  r.getDouble(5),
                  r.getLong(6)));
        }
      }
      return rows;
    }
  }

  /**
   * Returns CPU seconds the server used so far: the postmaster and its live children (backends, WAL
   * writer, checkpointer, …: utime + stime) and the children it has reaped (cutime + cstime).
   */
  double cpuSeconds() throws IOException {
    return cpuSeconds(-1);
  }

  /** Returns {@link #cpuSeconds()} without the live session of process {@code exclude}. */
  double cpuSeconds(long exclude) throws IOException {
    long ticks = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String[] f;
        try {
          String stat = Files.readString(p.resolve("stat"));
          f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException gone) {
          continue;
        }
        long pid = Long.parseLong(name);
        // after "pid (comm) ": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14
        if (pid == postmaster) {
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } else if (Long.parseLong(f[1]) == postmaster && pid != exclude) {
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    }
    return ticks / TICKS;
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
