package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The versioned schema of one database, kept by Flyway from the migrations in {@code
 * db/migration/<location>} on the class path, and the start-up policy that applies them.
 *
 * <p>Flyway is started only when the database's version differs from the code's: a start on a
 * database already at {@link Location#version()} costs one query of {@code flyway_schema_history}
 * and never loads Flyway. Policy (docs/STORAGE.md, "Migrations"): an empty database is created;
 * pending migrations are applied when {@link Policy#MIGRATE}, and refused otherwise; a schema newer
 * than the code is refused always. Every refusal is a {@link RunnerException} of kind {@link
 * ErrorKind#SCHEMA_MISMATCH} with a one-line message.
 */
public final class Schema {
  private static final String HISTORY = "flyway_schema_history";

  /** A set of migrations with the version the code expects. */
  public enum Location {
    /** SQLite {@code runs.db}: runs, the callback outbox, nodes and node keys. */
    SQLITE_RUNS("sqlite/runs", 3),
    /** SQLite {@code ledger/ledger.db}: the ledger. */
    SQLITE_LEDGER("sqlite/ledger", 1),
    /** One PostgreSQL database holding everything. */
    POSTGRESQL("postgresql", 3);

    private final String path;
    private final int version;

    Location(String path, int version) {
      this.path = path;
      this.version = version;
    }

    /** Returns the class-path folder of the migrations, {@code db/migration/…}. */
    public String path() {
      return "db/migration/" + path;
    }

    /** Returns the highest migration version the code holds for this location. */
    public int version() {
      return version;
    }

    boolean sqlite() {
      return this != POSTGRESQL;
    }
  }

  /** What to do with pending migrations. */
  public enum Policy {
    /** Apply them (the embedded SQLite state directory, or {@code --migrate}). */
    MIGRATE,
    /** Refuse to start (a shared PostgreSQL database without {@code --migrate}). */
    REFUSE_PENDING
  }

  private Schema() {}

  /**
   * Returns the schema version recorded in the database, -1 when it has no Flyway history, or
   * {@link Integer#MIN_VALUE} when a migration is recorded as failed.
   *
   * @throws SQLException when the history cannot be read
   */
  public static int installedVersion(Connection c, Location where) throws SQLException {
    String exists =
        where.sqlite()
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + HISTORY + "'"
            : "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
                + " AND tablename = '"
                + HISTORY
                + "'";
    try (Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery(exists)) {
        r.next();
        if (r.getInt(1) == 0) {
          return -1;
        }
      }
      int max = -1;
      try (ResultSet r = s.executeQuery("SELECT version, success FROM " + HISTORY)) {
        while (r.next()) {
          if (!r.getBoolean(2)) {
            return Integer.MIN_VALUE;
          }
          String v = r.getString(1);
          if (v != null) {
            max = Math.max(max, Integer.parseInt(v));
          }
        }
      }
      return max;
    }
  }

  /**
   * Brings the database to the code's schema version under {@code policy}, or refuses.
   *
   * @param c an open connection, used for the version check only
   * @param flyway the database as Flyway connects to it, asked for only when a migration is due
   * @param name the database as error messages name it (a file, or a URL without password)
   * @throws RunnerException of kind SCHEMA_MISMATCH on a refusal or a failed migration
   */
  public static void prepare(
      Connection c,
      java.util.function.Supplier<DataSource> flyway,
      Location where,
      Policy policy,
      String name) {
    int installed;
    try {
      installed = installedVersion(c, where);
    } catch (SQLException | NumberFormatException e) {
      throw mismatch(name + ": cannot read its schema history: " + e.getMessage());
    }
    if (installed == where.version()) {
      return;
    }
    if (installed > where.version()) {
      throw mismatch(
          name
              + " has schema version "
              + installed
              + ", newer than this runner's "
              + where.version()
              + ": run a runner at least as new as the one that migrated it");
    }
    boolean empty = installed == -1;
    if (!empty && installed != Integer.MIN_VALUE && policy == Policy.REFUSE_PENDING) {
      throw mismatch(
          name
              + " has schema version "
              + installed
              + " and this runner needs "
              + where.version()
              + ": start once with --migrate to apply the pending migrations");
    }
    if (!empty && installed == Integer.MIN_VALUE && policy == Policy.REFUSE_PENDING) {
      throw mismatch(name + " records a failed migration: repair it before starting");
    }
    Migrations.migrate(flyway.get(), where, name);
  }

  static RunnerException mismatch(String message) {
    return new RunnerException(ErrorKind.SCHEMA_MISMATCH, message);
  }
}
