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

  @Test
  void aBuilderStartsAServerWithItsSettings() throws SQLException {
    try (PostgresServer other =
        PostgresServer.builder()
            .fsync(true)
            .setting("shared_preload_libraries", "pg_stat_statements")
            .setting("pg_stat_statements.track", "all")
            .start()) {
      String url = other.createDatabase("stats");
      try (Connection c =
              DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
          Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION pg_stat_statements");
        try (ResultSet r =
            s.executeQuery(
                "SELECT current_setting('fsync'), current_setting('pg_stat_statements.track'),"
                    + " (SELECT count(*) FROM pg_stat_statements) >= 0")) {
          r.next();
          assertThat(r.getString(1)).isEqualTo("on");
          assertThat(r.getString(2)).isEqualTo("all");
          assertThat(r.getBoolean(3)).isTrue();
        }
      }
      // A restart keeps the settings.
      other.stop();
      other.startAgain();
      try (Connection c =
              DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT current_setting('fsync')")) {
        r.next();
        assertThat(r.getString(1)).isEqualTo("on");
      }
    }
  }

  @Test
  void aBuilderRefusesASettingItCannotPass() {
    assertThatThrownBy(() -> PostgresServer.builder().setting("work_mem", "4 MB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("work_mem");
    assertThatThrownBy(() -> PostgresServer.builder().setting("Bad Name", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void startHasFsyncOff() throws SQLException {
    try (Connection c = DriverManager.getConnection(PG.url(), PG.user(), PG.password());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('fsync')")) {
      r.next();
      assertThat(r.getString(1)).isEqualTo("off");
    }
  }
}
