package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of both run stores: every statement is portable between SQLite and PostgreSQL, and the
 * subclasses say how a connection is had ({@link SqlAccess}) and how the schema is made.
 */
abstract class SqlRunStore implements RunStore {
  private static final String COLUMNS =
      "id, tenant, trigger_hash, request_hash, tool, version, verb, status, request_json,"
          + " created_at, started_at, finished_at, exit_code, signal, error_kind, error_detail,"
          + " result_json, receipt_json, ledger_index, owner, trigger_json,"
          + " origin_json";

  /** One placeholder per column of {@link #COLUMNS}, so an added column cannot be left unbound. */
  private static final String PLACEHOLDERS =
      String.join(",", java.util.Collections.nCopies(COLUMNS.split(",").length, "?"));

  private static final String INSERT =
      "INSERT INTO runs ("
          + COLUMNS
          + ") VALUES ("
          + PLACEHOLDERS
          + ") ON CONFLICT(trigger_hash) DO NOTHING";

  /**
   * The condition that a run's owner is a node start whose row is still live: a run is recovered
   * only when this is false, checked in the recovering statement itself.
   */
  private static final String OWNER_LIVE =
      "EXISTS (SELECT 1 FROM nodes n WHERE runs.owner = 'node:' || n.id || ':' || n.epoch"
          + " AND n.state = 'live')";

  private final SqlAccess db;
  private final SqlCallbackOutbox callbacks;
  private final SqlNodeStore nodes;
  private final String fenceCheck;
  private volatile NodeLease fence;

  /** PostgreSQL's check of the writer's node row: declaring the node dead waits for the write. */
  static final String FENCE_FOR_SHARE =
      "SELECT 1 FROM nodes WHERE id = ? AND epoch = ? AND state = 'live' FOR SHARE";

  /**
   * SQLite's check of the writer's node row: a no-op write, so that the transaction takes SQLite's
   * write lock at once (a read first would fail to upgrade when another writer committed between).
   */
  static final String FENCE_BY_WRITE =
      "UPDATE nodes SET state = state WHERE id = ? AND epoch = ? AND state = 'live'";

  /**
   * Creates the store.
   *
   * @param now the database's clock in epoch milliseconds, as an SQL expression
   * @param fenceCheck the statement a fenced write runs first with the lease's id and epoch: a
   *     query that returns a row, or an update that changes one, when the lease is live
   */
  SqlRunStore(SqlAccess db, String now, String fenceCheck) {
    this.db = db;
    this.callbacks = new SqlCallbackOutbox(db);
    this.nodes = new SqlNodeStore(db, now);
    this.fenceCheck = fenceCheck;
  }

  @Override
  public CallbackOutbox callbacks() {
    return callbacks;
  }

  @Override
  public NodeStore nodes() {
    return nodes;
  }

  @Override
  public void fence(NodeLease lease) {
    this.fence = lease;
  }

  @Override
  public Claim claim(RunRecord r) {
    return claim(r, null);
  }

  @Override
  public Claim claim(RunRecord r, CallbackRecord callback) {
    try {
      SqlAccess.Work<Boolean> insert = c -> insert(c, r, callback);
      boolean inserted = callback == null ? db.call(insert) : db.transaction(insert);
      if (inserted) {
        return new Claim(r, true);
      }
      return new Claim(findByTrigger(r.triggerHash()).orElseThrow(), false);
    } catch (SQLException e) {
      throw fail("claim", e);
    }
  }

  /**
   * Inserts a record unless its trigger hash is held, and its callback when it was inserted, on
   * {@code c} (the caller's transaction when there is a callback).
   *
   * @return whether the record was inserted
   */
  static boolean insert(java.sql.Connection c, RunRecord r, CallbackRecord callback)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      bind(ps, r);
      if (ps.executeUpdate() != 1) {
        return false;
      }
    }
    if (callback != null) {
      SqlCallbackOutbox.insert(c, callback);
    }
    return true;
  }

  @Override
  public Optional<RunRecord> find(String id) {
    return one("SELECT " + COLUMNS + " FROM runs WHERE id = ?", id);
  }

  @Override
  public Optional<RunRecord> findByTrigger(String triggerHash) {
    return one("SELECT " + COLUMNS + " FROM runs WHERE trigger_hash = ?", triggerHash);
  }

  @Override
  public List<RunRecord> terminalWithoutReceipt() {
    return many(
        "SELECT "
            + COLUMNS
            + " FROM runs WHERE receipt_json IS NULL"
            + " AND status NOT IN ('QUEUED', 'REJECTED') AND status <> ? ORDER BY created_at",
        RunStatus.RUNNING.name());
  }

  @Override
  public List<RunRecord> byStatus(RunStatus status) {
    return many(
        "SELECT " + COLUMNS + " FROM runs WHERE status = ? ORDER BY created_at", status.name());
  }

  @Override
  public List<RunRecord> list(String tenant, int limit) {
    return many(
        "SELECT "
            + COLUMNS
            + " FROM runs WHERE tenant = ? ORDER BY created_at DESC LIMIT "
            + Math.max(0, limit),
        tenant);
  }

  @Override
  public List<RunRecord> page(
      String tenant, RunStatus status, String tool, String before, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM runs WHERE tenant = ?");
    List<String> args = new ArrayList<>(List.of(tenant));
    if (status != null) {
      sql.append(" AND status = ?");
      args.add(status.name());
    }
    if (tool != null) {
      sql.append(" AND tool = ?");
      args.add(tool);
    }
    if (before != null) {
      sql.append(
          " AND EXISTS (SELECT 1 FROM runs b WHERE b.id = ? AND b.tenant = ?"
              + " AND (runs.created_at < b.created_at"
              + " OR (runs.created_at = b.created_at AND runs.id < b.id)))");
      args.add(before);
      args.add(tenant);
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(Math.max(0, limit));
    return many(sql.toString(), args.toArray(String[]::new));
  }

  @Override
  public long count() {
    try {
      return db.call(
          c -> {
            try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM runs")) {
              rs.next();
              return rs.getLong(1);
            }
          });
    } catch (SQLException e) {
      throw fail("count", e);
    }
  }

  @Override
  public boolean markRunning(String id, Instant startedAt) {
    return update(
        "start of run " + id,
        "UPDATE runs SET status = 'RUNNING', started_at = ? WHERE id = ? AND status = 'QUEUED'",
        startedAt.toString(),
        id);
  }

  @Override
  public boolean finish(String id, Completion c) {
    return finishFrom(id, c, "'QUEUED', 'RUNNING'");
  }

  @Override
  public boolean finishQueued(String id, Completion c) {
    return finishFrom(id, c, "'QUEUED'");
  }

  private boolean finishFrom(String id, Completion c, String from) {
    return complete(
        "finish of run " + id,
        "UPDATE runs SET status = ?, finished_at = ?, exit_code = ?, signal = ?,"
            + " error_kind = ?, error_detail = ?, result_json = ?"
            + " WHERE id = ? AND status IN ("
            + from
            + ")",
        c,
        id);
  }

  @Override
  public boolean interrupt(String id, String deadOwner, String newOwner, Completion c) {
    return complete(
        "interruption of run " + id,
        "UPDATE runs SET status = ?, finished_at = ?, exit_code = ?, signal = ?,"
            + " error_kind = ?, error_detail = ?, result_json = ?, owner = ?"
            + " WHERE id = ? AND owner = ? AND status = 'RUNNING' AND NOT "
            + OWNER_LIVE,
        c,
        newOwner,
        id,
        deadOwner);
  }

  private boolean complete(String what, String sql, Completion c, String... more) {
    if (!c.status().isTerminal()) {
      throw new RunnerException(ErrorKind.INTERNAL, "finish with non-terminal " + c.status());
    }
    return write(
        what,
        conn -> {
          try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, c.status().name());
            ps.setString(2, c.finishedAt().toString());
            setInt(ps, 3, c.exitCode());
            setInt(ps, 4, c.signal());
            ps.setString(5, c.errorKind() == null ? null : c.errorKind().name());
            ps.setString(6, c.errorDetail());
            ps.setString(7, c.resultJson());
            for (int i = 0; i < more.length; i++) {
              ps.setString(8 + i, more[i]);
            }
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean requestCancel(String id, Instant at) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, ?)"
                        + " WHERE id = ? AND status = 'RUNNING'")) {
              ps.setString(1, at.toString());
              ps.setString(2, id);
              return ps.executeUpdate() == 1;
            }
          });
    } catch (SQLException e) {
      throw fail("cancel request", e);
    }
  }

  @Override
  public List<String> cancelRequests(String owner) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT id FROM runs WHERE owner = ? AND status = 'RUNNING'"
                        + " AND cancel_requested_at IS NOT NULL")) {
              ps.setString(1, owner);
              try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                  out.add(rs.getString(1));
                }
                return out;
              }
            }
          });
    } catch (SQLException e) {
      throw fail("query", e);
    }
  }

  @Override
  public boolean setReceipt(String id, String receiptJson, Long ledgerIndex) {
    return write(
        "receipt of run " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET receipt_json = ?, ledger_index = ?"
                      + " WHERE id = ? AND receipt_json IS NULL")) {
            ps.setString(1, receiptJson);
            if (ledgerIndex == null) {
              ps.setNull(2, Types.BIGINT);
            } else {
              ps.setLong(2, ledgerIndex);
            }
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean adoptForReceipt(String id, String oldOwner, String newOwner) {
    return update(
        "adoption of run " + id,
        "UPDATE runs SET owner = ? WHERE id = ? AND owner = ? AND receipt_json IS NULL AND NOT "
            + OWNER_LIVE,
        newOwner,
        id,
        oldOwner);
  }

  @Override
  public boolean takeOver(String id, String oldOwner, String newOwner) {
    return update(
        "take-over of run " + id,
        "UPDATE runs SET owner = ? WHERE id = ? AND owner = ?"
            + " AND status IN ('QUEUED', 'RUNNING') AND NOT "
            + OWNER_LIVE,
        newOwner,
        id,
        oldOwner);
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw fail("close", e);
    }
  }

  private boolean update(String what, String sql, String... args) {
    return write(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
              ps.setString(i + 1, args[i]);
            }
            return ps.executeUpdate() == 1;
          }
        });
  }

  /**
   * Runs one conditional write; when the store is fenced ({@link #fence}), in a transaction that
   * first reads this node's row (locked for share on PostgreSQL) and refuses the write with {@link
   * NodeFenced} unless it is live with the lease's epoch.
   */
  private boolean write(String what, SqlAccess.Work<Boolean> work) {
    return fencedCall(what, work);
  }

  /**
   * Runs {@code work} as {@link #write} runs a conditional write: after the fence check in the same
   * transaction when the store is fenced.
   *
   * @throws NodeFenced when the store is fenced and its lease is no longer live
   */
  <T> T fencedCall(String what, SqlAccess.Work<T> work) {
    NodeLease f = fence;
    try {
      if (f == null) {
        return db.call(work);
      }
      return db.transaction(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(fenceCheck)) {
              ps.setString(1, f.nodeId());
              ps.setLong(2, f.epoch());
              boolean live;
              if (ps.execute()) {
                try (ResultSet rs = ps.getResultSet()) {
                  live = rs.next();
                }
              } else {
                live = ps.getUpdateCount() == 1;
              }
              if (!live) {
                throw new NodeFenced(f, what);
              }
            }
            return work.run(c);
          });
    } catch (SQLException e) {
      throw fail("update", e);
    }
  }

  private Optional<RunRecord> one(String sql, String arg) {
    List<RunRecord> l = many(sql, arg);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  private List<RunRecord> many(String sql, String... args) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
              }
              try (ResultSet rs = ps.executeQuery()) {
                List<RunRecord> out = new ArrayList<>();
                while (rs.next()) {
                  out.add(read(rs));
                }
                return out;
              }
            }
          });
    } catch (SQLException e) {
      throw fail("query", e);
    }
  }

  private static void bind(PreparedStatement ps, RunRecord r) throws SQLException {
    ps.setString(1, r.id());
    ps.setString(2, r.tenant());
    ps.setString(3, r.triggerHash());
    ps.setString(4, r.requestHash());
    ps.setString(5, r.tool());
    ps.setString(6, r.version());
    ps.setString(7, r.verb());
    ps.setString(8, r.status().name());
    ps.setString(9, r.requestJson());
    ps.setString(10, r.createdAt().toString());
    ps.setString(11, r.startedAt() == null ? null : r.startedAt().toString());
    ps.setString(12, r.finishedAt() == null ? null : r.finishedAt().toString());
    setInt(ps, 13, r.exitCode());
    setInt(ps, 14, r.signal());
    ps.setString(15, r.errorKind() == null ? null : r.errorKind().name());
    ps.setString(16, r.errorDetail());
    ps.setString(17, r.resultJson());
    ps.setString(18, r.receiptJson());
    if (r.ledgerIndex() == null) {
      ps.setNull(19, Types.BIGINT);
    } else {
      ps.setLong(19, r.ledgerIndex());
    }
    ps.setString(20, r.owner());
    ps.setString(21, r.triggerJson());
    ps.setString(22, r.originJson());
  }

  private static RunRecord read(ResultSet rs) throws SQLException {
    return new RunRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        RunStatus.valueOf(rs.getString(8)),
        rs.getString(9),
        instant(rs.getString(10)),
        instant(rs.getString(11)),
        instant(rs.getString(12)),
        integer(rs, 13),
        integer(rs, 14),
        rs.getString(15) == null ? null : ErrorKind.valueOf(rs.getString(15)),
        rs.getString(16),
        rs.getString(17),
        rs.getString(18),
        rs.getObject(19) == null ? null : rs.getLong(19),
        rs.getString(20),
        rs.getString(21),
        rs.getString(22));
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }

  private static Integer integer(ResultSet rs, int col) throws SQLException {
    int v = rs.getInt(col);
    return rs.wasNull() ? null : v;
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static RunnerException fail(String op, SQLException e) {
    return SqlErrors.of("run store " + op, e, ErrorKind.INTERNAL);
  }
}
