package io.quackrunner.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The embedded {@link RunStore}: {@code runs.db} in the state directory (SQLite, WAL journal, busy
 * timeout, {@code synchronous=FULL}), safe to share between processes on one host. One connection
 * per store, its statements serialized by a lock; SQLite serializes writers across processes.
 */
public final class SqliteRunStore extends SqlRunStore {
  private SqliteRunStore(Connection c) {
    super(new Single(c), SqlNodeStore.SQLITE_NOW, FENCE_BY_WRITE);
  }

  /**
   * Opens (creating if needed) the store at a database file and migrates it to the code's schema.
   *
   * @throws io.quackrunner.errors.RunnerException of kind CONFIGURATION when the database cannot be
   *     opened, or SCHEMA_MISMATCH when its schema is newer than this runner's
   */
  public static SqliteRunStore open(Path file) {
    return new SqliteRunStore(
        SqliteDatabase.open(file, Schema.Location.SQLITE_RUNS, SqliteRunStore::addLegacyColumns));
  }

  /**
   * Adds the columns that releases before Flyway added with ALTER TABLE to a {@code runs} table an
   * earlier release created, so that the version-1 script finds today's table.
   */
  private static void addLegacyColumns(Connection c) throws SQLException {
    Set<String> have = new HashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA table_info(runs)")) {
      while (rs.next()) {
        have.add(rs.getString("name"));
      }
    }
    if (have.isEmpty()) {
      return; // a new database: version 1 creates the table
    }
    for (String column : List.of("trigger_json", "origin_json")) {
      if (have.contains(column)) {
        continue;
      }
      try (Statement s = c.createStatement()) {
        s.execute("ALTER TABLE runs ADD COLUMN " + column + " TEXT");
      } catch (SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("duplicate column")) {
          throw e; // a process of an older release may have added it at the same moment
        }
      }
    }
  }

  /** One connection under one lock: the store's statements never interleave. */
  private record Single(Connection c) implements SqlAccess {
    @Override
    public <T> T call(Work<T> work) throws SQLException {
      synchronized (this) {
        return work.run(c);
      }
    }

    @Override
    public <T> T transaction(Work<T> work) throws SQLException {
      synchronized (this) {
        return SqlAccess.inTransaction(c, work);
      }
    }

    @Override
    public void close() throws SQLException {
      synchronized (this) {
        c.close();
      }
    }
  }
}
