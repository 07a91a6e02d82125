package io.quackrunner.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link CallbackOutboxContract} on the embedded SQLite store. */
class SqliteCallbackOutboxTest extends CallbackOutboxContract {
  @TempDir Path dir;

  @Override
  protected RunStore open(String name) {
    return RunStore.open(dir.resolve(name + ".db"));
  }
}
