package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens a SQLite database of the state directory at the code's schema version: the file is made
 * atomically when absent ({@link DatabaseFiles#prepare}), and pending migrations are applied (the
 * embedded database has one owner, so it is migrated forward without being asked).
 *
 * <p>Migrations of one file are serialized across processes by an exclusive lock on {@code
 * <file>.migrate.lock} beside it (not on the database file itself, whose POSIX locks are SQLite's),
 * and within this JVM by a monitor, since a JVM cannot hold one file lock twice.
 */
public final class SqliteDatabase {
  /** How long a statement waits for another connection's lock, in milliseconds. */
  public static final int BUSY_TIMEOUT_MS = 30_000;

  private static final Object MIGRATING = new Object();

  private SqliteDatabase() {}

  /** Brings a database QuackRunner made before it used Flyway up to what its V1 script expects. */
  @FunctionalInterface
  public interface LegacyUpgrade {
    /** Runs on a database without Flyway history, before it is baselined. */
    void apply(Connection c) throws SQLException;
  }

  /**
   * Opens {@code file} (creating it when absent) and migrates it to {@code where}'s version.
   *
   * @return a connection in auto-commit mode with busy timeout, WAL and {@code synchronous=FULL}
   * @throws RunnerException of kind CONFIGURATION when the file cannot be opened, or
   *     SCHEMA_MISMATCH when its schema is newer than the code's or a migration fails
   */
  public static Connection open(Path file, Schema.Location where, LegacyUpgrade legacy) {
    DatabaseFiles.prepare(file);
    Connection c;
    try {
      c = connect(file);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = WAL");
      }
    } catch (SQLException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      if (Schema.installedVersion(c, where) != where.version()) {
        migrate(c, file, where, legacy);
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the open failed; its error is reported
      }
      if (e instanceof RunnerException re) {
        throw re;
      }
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens a further connection to a database {@link #open} has prepared.
   *
   * @throws SQLException when SQLite cannot open it
   */
  public static Connection connect(Path file) throws SQLException {
    // The driver directly, not DriverManager, whose first use loads every driver on the class path.
    Connection c = JDBC.createConnection("jdbc:sqlite:" + file.toAbsolutePath(), new Properties());
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
      s.execute("PRAGMA synchronous = FULL");
    }
    return c;
  }

  private static void migrate(Connection c, Path file, Schema.Location where, LegacyUpgrade legacy)
      throws SQLException {
    Path lockFile = file.resolveSibling(file.getFileName() + ".migrate.lock");
    synchronized (MIGRATING) {
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        if (Schema.installedVersion(c, where) == -1 && legacy != null) {
          legacy.apply(c);
        }
        Schema.prepare(c, () -> dataSource(file), where, Schema.Policy.MIGRATE, file.toString());
      } catch (IOException e) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, "cannot lock " + lockFile + " to migrate " + file + ": " + e);
      }
    }
  }

  private static SQLiteDataSource dataSource(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return ds;
  }
}
