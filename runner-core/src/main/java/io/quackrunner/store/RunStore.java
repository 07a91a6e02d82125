package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
 * Run records and their idempotency claims in an embedded SQLite database, safe to share between
 * processes on one host (WAL journal, busy timeout).
 *
 * <p>A trigger is claimed by inserting a record whose {@code trigger_hash} is unique: of any number
 * of concurrent claims, in any number of processes, exactly one inserts and the others read its
 * record (DESIGN invariant 1).
 */
public final class RunStore implements AutoCloseable {
  private static final String COLUMNS =
      "id, tenant, trigger_hash, request_hash, tool, version, verb, status, request_json,"
          + " created_at, started_at, finished_at, exit_code, signal, error_kind, error_detail,"
          + " result_json, receipt_json, ledger_index, owner, trigger_json,"
          + " origin_json";

  /** One placeholder per column of {@link #COLUMNS}, so an added column cannot be left unbound. */
  private static final String PLACEHOLDERS =
      String.join(",", java.util.Collections.nCopies(COLUMNS.split(",").length, "?"));

  private static final int BUSY_TIMEOUT_MS = 30_000;

  private final Connection db;
  private final SqliteCallbackOutbox callbacks;

  private RunStore(Connection db) {
    this.db = db;
    this.callbacks = new SqliteCallbackOutbox(db, this);
  }

  /** Returns the outbox of receipt callbacks, in the same database as the runs. */
  public CallbackOutbox callbacks() {
    return callbacks;
  }

  /**
   * Opens (creating if needed) the store at a database file.
   *
   * @throws RunnerException of kind CONFIGURATION when the database cannot be opened or migrated
   */
  public static RunStore open(Path file) {
    DatabaseFiles.prepare(file);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = FULL");
        s.execute(
            "CREATE TABLE IF NOT EXISTS runs ("
                + " id TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
                + " trigger_hash TEXT NOT NULL UNIQUE, request_hash TEXT NOT NULL,"
                + " tool TEXT NOT NULL, version TEXT NOT NULL, verb TEXT NOT NULL,"
                + " status TEXT NOT NULL, request_json TEXT NOT NULL,"
                + " created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,"
                + " exit_code INTEGER, signal INTEGER, error_kind TEXT, error_detail TEXT,"
                + " result_json TEXT, receipt_json TEXT, ledger_index INTEGER,"
                + " owner TEXT NOT NULL, trigger_json TEXT, origin_json TEXT)");
        migrate(c);
        s.execute("CREATE INDEX IF NOT EXISTS runs_status ON runs(status)");
        s.execute("CREATE INDEX IF NOT EXISTS runs_tenant ON runs(tenant, created_at)");
        SqliteCallbackOutbox.create(s);
      }
      return new RunStore(c);
    } catch (Exception e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot open run store " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Claims a record's trigger: inserts the record, or returns the record that already holds its
   * trigger hash.
   *
   * @throws RunnerException of kind INTERNAL on a database error
   */
  public synchronized Claim claim(RunRecord r) {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT INTO runs ("
                + COLUMNS
                + ") VALUES ("
                + PLACEHOLDERS
                + ")"
                + " ON CONFLICT(trigger_hash) DO NOTHING")) {
      bind(ps, r);
      if (ps.executeUpdate() == 1) {
        return new Claim(r, true);
      }
      return new Claim(findByTrigger(r.triggerHash()).orElseThrow(), false);
    } catch (SQLException e) {
      throw fail("claim", e);
    }
  }

  /**
   * Claims a record's trigger as {@link #claim(RunRecord)} does and, when the claim inserts the
   * record, adds its receipt callback to the outbox in the same transaction: a run with a callback
   * never exists without it.
   *
   * @param callback the run's callback ({@link CallbackRecord#pending}), or null for none
   * @throws RunnerException of kind INTERNAL on a database error
   */
  public synchronized Claim claim(RunRecord r, CallbackRecord callback) {
    if (callback == null) {
      return claim(r);
    }
    try {
      db.setAutoCommit(false);
      try (PreparedStatement ps =
          db.prepareStatement(
              "INSERT INTO runs ("
                  + COLUMNS
                  + ") VALUES ("
                  + PLACEHOLDERS
                  + ")"
                  + " ON CONFLICT(trigger_hash) DO NOTHING")) {
        bind(ps, r);
        if (ps.executeUpdate() != 1) {
          db.rollback();
          return new Claim(findByTrigger(r.triggerHash()).orElseThrow(), false);
        }
        SqliteCallbackOutbox.insert(db, callback);
        db.commit();
        return new Claim(r, true);
      } catch (SQLException | RuntimeException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw fail("claim", e);
    }
  }

  /** Returns the record with this id. */
  public synchronized Optional<RunRecord> find(String id) {
    return one("SELECT " + COLUMNS + " FROM runs WHERE id = ?", id);
  }

  /** Returns the record holding this trigger hash. */
  public synchronized Optional<RunRecord> findByTrigger(String triggerHash) {
    return one("SELECT " + COLUMNS + " FROM runs WHERE trigger_hash = ?", triggerHash);
  }

  /** Returns terminal runs whose receipt was never recorded (a crash between append and record). */
  public synchronized List<RunRecord> terminalWithoutReceipt() {
    return many(
        "SELECT "
            + COLUMNS
            + " FROM runs WHERE receipt_json IS NULL"
            + " AND status NOT IN ('QUEUED', 'REJECTED') AND status <> ? ORDER BY created_at",
        RunStatus.RUNNING.name());
  }

  /** Returns the runs in one status, oldest first. */
  public synchronized List<RunRecord> byStatus(RunStatus status) {
    return many(
        "SELECT " + COLUMNS + " FROM runs WHERE status = ? ORDER BY created_at", status.name());
  }

  /** Returns a tenant's most recent records, newest first, at most {@code limit}. */
  public synchronized List<RunRecord> list(String tenant, int limit) {
    return many(
        "SELECT "
            + COLUMNS
            + " FROM runs WHERE tenant = ? ORDER BY created_at DESC LIMIT "
            + Math.max(0, limit),
        tenant);
  }

  /**
   * Returns one page of a tenant's records, newest first ({@code created_at}, then id, descending):
   * at most {@code limit}, only those in {@code status} and of {@code tool} when given, and only
   * those after the run {@code before} in that order when given (a cursor that stays stable while
   * new runs arrive).
   *
   * @param status a status to keep, or null for all
   * @param tool a tool name to keep, or null for all
   * @param before the id of the last run of the previous page, or null for the first page; an id
   *     the tenant does not own gives an empty page
   */
  public synchronized List<RunRecord> page(
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
    try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setString(i + 1, args.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<RunRecord> out = new ArrayList<>();
        while (rs.next()) {
          out.add(read(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw fail("page", e);
    }
  }

  /** Returns the number of records. */
  public synchronized long count() {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM runs")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw fail("count", e);
    }
  }

  /**
   * Moves a QUEUED run to RUNNING.
   *
   * @return false when the run was no longer QUEUED (e.g. cancelled), so it must not start
   */
  public synchronized boolean markRunning(String id, Instant startedAt) {
    return update(
        "UPDATE runs SET status = 'RUNNING', started_at = ? WHERE id = ? AND status = 'QUEUED'",
        startedAt.toString(),
        id);
  }

  /**
   * Writes a terminal status unless the run already has one.
   *
   * @return false when the run was already terminal (nothing written)
   */
  public synchronized boolean finish(String id, Completion c) {
    return finishFrom(id, c, "'QUEUED', 'RUNNING'");
  }

  /**
   * Writes a terminal status only if the run is still QUEUED (a cancel that must not race a start).
   *
   * @return false when the run was no longer QUEUED (nothing written)
   */
  public synchronized boolean finishQueued(String id, Completion c) {
    return finishFrom(id, c, "'QUEUED'");
  }

  private boolean finishFrom(String id, Completion c, String from) {
    if (!c.status().isTerminal()) {
      throw new RunnerException(ErrorKind.INTERNAL, "finish with non-terminal " + c.status());
    }
    try (PreparedStatement ps =
        db.prepareStatement(
            "UPDATE runs SET status = ?, finished_at = ?, exit_code = ?, signal = ?,"
                + " error_kind = ?, error_detail = ?, result_json = ?"
                + " WHERE id = ? AND status IN ("
                + from
                + ")")) {
      ps.setString(1, c.status().name());
      ps.setString(2, c.finishedAt().toString());
      setInt(ps, 3, c.exitCode());
      setInt(ps, 4, c.signal());
      ps.setString(5, c.errorKind() == null ? null : c.errorKind().name());
      ps.setString(6, c.errorDetail());
      ps.setString(7, c.resultJson());
      ps.setString(8, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw fail("finish", e);
    }
  }

  /** Records a run's receipt once; a second call for the same run changes nothing. */
  public synchronized boolean setReceipt(String id, String receiptJson, Long ledgerIndex) {
    try (PreparedStatement ps =
        db.prepareStatement(
            "UPDATE runs SET receipt_json = ?, ledger_index = ?"
                + " WHERE id = ? AND receipt_json IS NULL")) {
      ps.setString(1, receiptJson);
      if (ledgerIndex == null) {
        ps.setNull(2, Types.INTEGER);
      } else {
        ps.setLong(2, ledgerIndex);
      }
      ps.setString(3, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw fail("setReceipt", e);
    }
  }

  /**
   * Transfers a terminal run that has no recorded receipt from a dead owner to this process, so
   * that exactly one process repairs its receipt.
   *
   * @return false when another process adopted it first, or it has its receipt
   */
  public synchronized boolean adoptForReceipt(String id, String oldOwner, String newOwner) {
    return update(
        "UPDATE runs SET owner = ? WHERE id = ? AND owner = ? AND receipt_json IS NULL",
        newOwner,
        id,
        oldOwner);
  }

  /**
   * Transfers a non-terminal run from one owner process to another.
   *
   * @return false when another process took it first or it is terminal
   */
  public synchronized boolean takeOver(String id, String oldOwner, String newOwner) {
    return update(
        "UPDATE runs SET owner = ? WHERE id = ? AND owner = ?"
            + " AND status IN ('QUEUED', 'RUNNING')",
        newOwner,
        id,
        oldOwner);
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw fail("close", e);
    }
  }

  private boolean update(String sql, String... args) {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw fail("update", e);
    }
  }

  private Optional<RunRecord> one(String sql, String arg) {
    List<RunRecord> l = many(sql, arg);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  private List<RunRecord> many(String sql, String arg) {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        List<RunRecord> out = new ArrayList<>();
        while (rs.next()) {
          out.add(read(rs));
        }
        return out;
      }
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
      ps.setNull(19, Types.INTEGER);
    } else {
      ps.setLong(19, r.ledgerIndex());
    }
    ps.setString(20, r.owner());
    ps.setString(21, r.triggerJson());
    ps.setString(22, r.originJson());
  }

  /** Adds the columns later versions introduced to a database an earlier version created. */
  private static void migrate(Connection c) throws SQLException {
    java.util.Set<String> have = new java.util.HashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA table_info(runs)")) {
      while (rs.next()) {
        have.add(rs.getString("name"));
      }
    }
    for (String column : List.of("trigger_json", "origin_json")) {
      if (have.contains(column)) {
        continue;
      }
      try (Statement s = c.createStatement()) {
        s.execute("ALTER TABLE runs ADD COLUMN " + column + " TEXT");
      } catch (SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("duplicate column")) {
          throw e; // another process may have added it at the same moment
        }
      }
    }
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
    return new RunnerException(ErrorKind.INTERNAL, "run store " + op + " failed: " + e, e);
  }
}
