package io.quackrunner.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunStoreContract} on the embedded SQLite store. */
class SqliteRunStoreTest extends RunStoreContract {
  @TempDir Path dir;

  @Override
  protected RunStore open(String name) {
    return RunStore.open(dir.resolve(name + ".db"));
  }
}
