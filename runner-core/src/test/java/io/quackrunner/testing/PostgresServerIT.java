package io.quackrunner.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The throwaway PostgreSQL fixture: a real server on loopback, one database per test class. */
class PostgresServerIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Test
  void servesItsOwnDatabaseOnLoopback() throws SQLException {
    assertThat(PG.server().port()).isNotEqualTo(5432);
    try (Connection c = DriverManager.getConnection(PG.url(), PG.user(), PG.password());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
      r.next();
      assertThat(r.getInt(1)).isBetween(150000, 159999);
    }
  }

  @Test
  void refusesAWrongPassword() {
    assertThatThrownBy(() -> DriverManager.getConnection(PG.url(), PG.user(), "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void stopsAndDeletesItsDirectory() throws SQLException {
    PostgresServer other = PostgresServer.start();
    String url = other.createDatabase("gone");
    Path dir;
    try (Connection c =
            DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('data_directory')")) {
      r.next();
      dir = Path.of(r.getString(1)).getParent();
    }
    other.close();
    assertThat(Files.exists(dir)).isFalse();
    assertThatThrownBy(
            () -> DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD))
        .isInstanceOf(SQLException.class);
  }
}
