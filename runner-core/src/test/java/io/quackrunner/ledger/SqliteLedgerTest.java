package io.quackrunner.ledger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

/** {@link LedgerContract} on the embedded SQLite store. */
class SqliteLedgerTest extends LedgerContract {
  @TempDir Path dir;

  @Override
  protected LedgerStore store() {
    return SqliteLedgerStore.open(dir.resolve("ledger.db"));
  }

  @Override
  protected Connection raw() throws SQLException {
    return LedgerFixture.raw(dir.resolve("ledger.db"));
  }

  @Override
  protected String table(String name) {
    return name;
  }
}
