package io.quackrunner.testing;

import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.Schema;
import java.util.HashMap;
import java.util.Map;

/**
 * Databases of one test on the throwaway server, by name: the first open of a name creates an empty
 * database and migrates it, later opens of the name reach the same database. Make one per test
 * instance, so each test starts empty.
 */
public final class PostgresDatabases {
  private final PostgresExtension pg;
  private final Map<String, String> urls = new HashMap<>();

  /** Uses the server of {@code pg}. */
  public PostgresDatabases(PostgresExtension pg) {
    this.pg = pg;
  }

  /** Returns the JDBC URL, with user and password, of database {@code name}. */
  public synchronized String url(String name) {
    return urls.computeIfAbsent(
        name, n -> pg.newDatabase() + "?user=" + pg.user() + "&password=" + pg.password());
  }

  /**
   * Opens database {@code name} migrated to the code's schema; its pool closes when every store
   * opened on it has closed.
   */
  public PostgresDatabase open(String name) {
    return PostgresDatabase.open(url(name), Schema.Policy.MIGRATE, 4);
  }
}
