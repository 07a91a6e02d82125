package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns a store's {@link SQLException} into the runner error a caller can act on: a database that
 * cannot be reached right now is {@link ErrorKind#UNAVAILABLE} (HTTP 503 with {@code Retry-After}:
 * retry later, nothing was written), anything else keeps the store's own kind.
 *
 * <p>"Cannot be reached" follows the SQLSTATE classes of ISO/IEC 9075 and PostgreSQL's Appendix A:
 * class {@code 08} (connection exception), {@code 57P01}–{@code 57P03} (admin shutdown, crash
 * shutdown, cannot connect now, as a server sends while it stops or starts), and JDBC's connection
 * exception types, which HikariCP throws when no connection could be had within its timeout.
 */
public final class SqlErrors {
  private SqlErrors() {}

  /**
   * Returns whether {@code e} (or an exception it was caused by) says the database is unreachable.
   */
  public static boolean unreachable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * Returns whether a failure was caused by an unreachable database: {@code e} or an exception in
   * its cause chain is a {@link RunnerException} of kind UNAVAILABLE or an {@link SQLException} for
   * which {@link #unreachable(SQLException)} holds (e.g. a ledger append's RECEIPT_COMMIT_FAILED
   * wrapping the pool's connection timeout).
   */
  public static boolean causedByUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RunnerException r && r.kind() == ErrorKind.UNAVAILABLE) {
        return true;
      }
      if (t instanceof SQLException s && unreachable(s)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * Rolls back a failed transaction on {@code c} and restores auto-commit; when either fails too
   * (the connection broke with the failure: HikariCP then answers every call "Connection is
   * closed", with no SQLSTATE), that error is added to {@code failure} as suppressed, so the
   * failure that says why (e.g. {@code 57P01}, admin shutdown) is the one thrown and mapped.
   */
  public static void undo(java.sql.Connection c, Throwable failure) {
    try {
      c.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Returns the runner error of a failed store operation.
   *
   * @param what the store and operation, for the message ("run store claim")
   * @param otherwise the kind of any failure other than an unreachable database
   * @return an UNAVAILABLE error when {@link #unreachable} holds, else one of kind {@code
   *     otherwise}
   */
  public static RunnerException of(String what, SQLException e, ErrorKind otherwise) {
    if (unreachable(e)) {
      return new RunnerException(
          ErrorKind.UNAVAILABLE,
          what + " failed: the database is unavailable (" + firstLine(e) + "); retry later",
          e);
    }
    return new RunnerException(otherwise, what + " failed: " + e, e);
  }

  private static String firstLine(SQLException e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }
}
