package io.quackrunner.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

/** {@link NodeStoreContract} on the embedded SQLite store. */
class SqliteNodeStoreTest extends NodeStoreContract {
  @TempDir Path dir;

  @Override
  protected RunStore open(String name) {
    return RunStore.open(dir.resolve(name + ".db"));
  }

  @Override
  protected Connection raw(String name) throws SQLException {
    return SqliteDatabase.connect(dir.resolve(name + ".db"));
  }
}
