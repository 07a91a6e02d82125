package io.quackrunner.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a SQL store reaches its database: one connection under one lock (SQLite, whose writers are
 * serialized by the file anyway) or a connection pool (PostgreSQL).
 */
interface SqlAccess extends AutoCloseable {
  /** Work done with one connection. */
  @FunctionalInterface
  interface Work<T> {
    /** Does the work; the connection is only valid during the call. */
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} with a connection in auto-commit mode. */
  <T> T call(Work<T> work) throws SQLException;

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   */
  <T> T transaction(Work<T> work) throws SQLException;

  /** Releases the connection or this store's share of the pool. */
  @Override
  void close() throws SQLException;

  /** Commits or rolls back {@code work} on {@code c}, restoring auto-commit after. */
  static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    T out;
    try {
      out = work.run(c);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      SqlErrors.undo(c, e);
      throw e;
    }
    c.setAutoCommit(true);
    return out;
  }
}
