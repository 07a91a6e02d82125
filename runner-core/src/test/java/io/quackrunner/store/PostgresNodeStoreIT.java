package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.testing.PostgresDatabases;
import io.quackrunner.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link NodeStoreContract} on PostgreSQL (a throwaway server, a database per test). */
class PostgresNodeStoreIT extends NodeStoreContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private final PostgresDatabases dbs = new PostgresDatabases(PG);

  @Override
  protected RunStore open(String name) {
    try (PostgresDatabase db = dbs.open(name)) {
      return PostgresRunStore.open(db);
    }
  }

  @Override
  protected Connection raw(String name) throws SQLException {
    return DriverManager.getConnection(dbs.url(name));
  }

  @Test
  void truncateOfNodeKeysIsRefused() throws SQLException {
    try (RunStore s = open("nodes")) {
      s.nodes().register("a", 60_000, "k", "PUB");
    }
    try (Connection c = raw("nodes");
        Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.execute("TRUNCATE node_keys"))
          .hasMessageContaining("append-only");
    }
  }
}
