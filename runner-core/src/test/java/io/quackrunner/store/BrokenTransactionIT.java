package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.testing.PostgresServer;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A transaction whose connection the server ends mid-way (as {@code pg_ctl stop -m fast} ends every
 * session: {@code 57P01}, here by {@code pg_terminate_backend} of its own backend) fails with that
 * error, which maps to UNAVAILABLE (HTTP 503), not with the "Connection is closed" the broken
 * connection's rollback throws afterwards, which carries no SQLSTATE and mapped to INTERNAL (HTTP
 * 500).
 */
class BrokenTransactionIT {
  @Test
  void aTransactionCutByTheServerFailsWithTheServersErrorNotTheRollbacks() {
    try (PostgresServer pg = PostgresServer.start()) {
      String url =
          pg.createDatabase("broken_tx")
              + "?user="
              + PostgresServer.USER
              + "&password="
              + PostgresServer.PASSWORD;
      try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.MIGRATE, 4);
          SqlAccess access = db.access()) {
        SQLException[] thrown = new SQLException[1];
        assertThatThrownBy(
                () ->
                    access.transaction(
                        c -> {
                          try (Statement s = c.createStatement()) {
                            s.execute("SELECT pg_terminate_backend(pg_backend_pid())");
                          }
                          return null;
                        }))
            .isInstanceOfSatisfying(SQLException.class, e -> thrown[0] = e);
        assertThat(thrown[0].getSQLState()).as(thrown[0].toString()).isEqualTo("57P01");
        RunnerException mapped = SqlErrors.of("run store claim", thrown[0], ErrorKind.INTERNAL);
        assertThat(mapped.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
        // The pool hands out a working connection afterwards.
        assertThat(access.<Integer>call(c -> c.isValid(2) ? 1 : 0)).isEqualTo(1);
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
    }
  }
}
