package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link CallbackOutbox} of both run stores: table {@code callbacks} in the same database as
 * {@code runs}, reached as the store reaches it. Times are epoch milliseconds (SQLite INTEGER,
 * PostgreSQL BIGINT), so comparisons in SQL are numeric; every lease is one conditional UPDATE, so
 * of several processes or nodes exactly one wins it.
 */
final class SqlCallbackOutbox implements CallbackOutbox {
  private static final String COLUMNS =
      "c.run_id, c.url, c.address, c.state, c.attempts, c.last_error, c.next_attempt_at,"
          + " c.deadline_at";

  private final SqlAccess db;

  SqlCallbackOutbox(SqlAccess db) {
    this.db = db;
  }

  /** Inserts a new callback on the caller's connection, in the caller's transaction. */
  static void insert(Connection db, CallbackRecord c) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT INTO callbacks (run_id, url, address, state, attempts)"
                + " VALUES (?, ?, ?, ?, 0)")) {
      ps.setString(1, c.runId());
      ps.setString(2, c.url());
      ps.setString(3, c.address());
      ps.setString(4, CallbackState.PENDING.name());
      ps.executeUpdate();
    }
  }

  @Override
  public Optional<CallbackRecord> find(String runId) {
    List<CallbackRecord> l =
        query(
            "SELECT " + COLUMNS + ", NULL FROM callbacks c WHERE c.run_id = ?",
            ps -> ps.setString(1, runId));
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  @Override
  public List<CallbackRecord> due(long nowMs, int limit) {
    return query(
        "SELECT "
            + COLUMNS
            + ", r.receipt_json FROM callbacks c JOIN runs r ON r.id = c.run_id"
            + " WHERE c.state = 'PENDING' AND r.receipt_json IS NOT NULL"
            + " AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= ?)"
            + " AND (c.lease_until IS NULL OR c.lease_until < ?)"
            + " ORDER BY coalesce(c.next_attempt_at, 0) LIMIT ?",
        ps -> {
          ps.setLong(1, nowMs);
          ps.setLong(2, nowMs);
          ps.setInt(3, limit);
        });
  }

  @Override
  public Optional<CallbackRecord> lease(
      String runId, int attempts, String owner, long nowMs, long leaseUntilMs, long deadlineAtMs) {
    int n =
        update(
            "UPDATE callbacks SET lease_owner = ?, lease_until = ?, attempts = attempts + 1,"
                + " next_attempt_at = ?, deadline_at = coalesce(deadline_at, ?)"
                + " WHERE run_id = ? AND state = 'PENDING' AND attempts = ?"
                + " AND (lease_until IS NULL OR lease_until < ?)",
            ps -> {
              ps.setString(1, owner);
              ps.setLong(2, leaseUntilMs);
              ps.setLong(3, leaseUntilMs);
              ps.setLong(4, deadlineAtMs);
              ps.setString(5, runId);
              ps.setInt(6, attempts);
              ps.setLong(7, nowMs);
            });
    return n == 1 ? find(runId) : Optional.empty();
  }

  @Override
  public void delivered(String runId, String owner, long atMs) {
    update(
        "UPDATE callbacks SET state = 'DELIVERED', delivered_at = ?, last_error = NULL,"
            + " lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL"
            + " WHERE run_id = ? AND lease_owner = ?",
        ps -> {
          ps.setLong(1, atMs);
          ps.setString(2, runId);
          ps.setString(3, owner);
        });
  }

  @Override
  public void failed(
      String runId, String owner, String error, long nextAttemptAtMs, boolean giveUp) {
    update(
        "UPDATE callbacks SET state = ?, last_error = ?, next_attempt_at = ?,"
            + " lease_owner = NULL, lease_until = NULL"
            + " WHERE run_id = ? AND lease_owner = ? AND state = 'PENDING'",
        ps -> {
          ps.setString(1, (giveUp ? CallbackState.FAILED : CallbackState.PENDING).name());
          ps.setString(2, error);
          ps.setLong(3, nextAttemptAtMs);
          ps.setString(4, runId);
          ps.setString(5, owner);
        });
  }

  @Override
  public void giveUp(String runId, int attempts, String error, long nowMs) {
    update(
        "UPDATE callbacks SET state = 'FAILED', last_error = ?, next_attempt_at = NULL,"
            + " lease_owner = NULL, lease_until = NULL"
            + " WHERE run_id = ? AND attempts = ? AND state = 'PENDING'"
            + " AND (lease_until IS NULL OR lease_until < ?)",
        ps -> {
          ps.setString(1, error);
          ps.setString(2, runId);
          ps.setInt(3, attempts);
          ps.setLong(4, nowMs);
        });
  }

  @Override
  public long count(CallbackState state) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*) FROM callbacks WHERE state = ?")) {
              ps.setString(1, state.name());
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
              }
            }
          });
    } catch (SQLException e) {
      throw fail("count", e);
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<CallbackRecord> query(String sql, Binder b) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              b.bind(ps);
              try (ResultSet rs = ps.executeQuery()) {
                List<CallbackRecord> out = new ArrayList<>();
                while (rs.next()) {
                  out.add(
                      new CallbackRecord(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getString(3),
                          CallbackState.valueOf(rs.getString(4)),
                          rs.getInt(5),
                          rs.getString(6),
                          longOrNull(rs, 7),
                          longOrNull(rs, 8),
                          rs.getString(9)));
                }
                return out;
              }
            }
          });
    } catch (SQLException e) {
      throw fail("query", e);
    }
  }

  private int update(String sql, Binder b) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              b.bind(ps);
              return ps.executeUpdate();
            }
          });
    } catch (SQLException e) {
      throw fail("update", e);
    }
  }

  private static Long longOrNull(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  private static RunnerException fail(String op, SQLException e) {
    return SqlErrors.of("callback outbox " + op, e, ErrorKind.INTERNAL);
  }
}
