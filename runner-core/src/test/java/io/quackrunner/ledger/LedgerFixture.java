package io.quackrunner.ledger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Shared helpers for ledger tests. */
final class LedgerFixture {
  static final String ORIGIN = "quackrunner.test/ledger";

  private LedgerFixture() {}

  static byte[] entry(long i) {
    return ("{\"receipt\":" + i + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** A raw connection that bypasses the ledger, as an attacker with file access would. */
  static Connection raw(Path db) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
  }
}
