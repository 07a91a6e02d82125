package io.quackrunner.store;

import io.quackrunner.testing.PostgresDatabases;
import io.quackrunner.testing.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RunStoreContract} on PostgreSQL (a throwaway server, a database per test). */
class PostgresRunStoreIT extends RunStoreContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private final PostgresDatabases dbs = new PostgresDatabases(PG);

  @Override
  protected RunStore open(String name) {
    try (PostgresDatabase db = dbs.open(name)) {
      return PostgresRunStore.open(db);
    }
  }
}
