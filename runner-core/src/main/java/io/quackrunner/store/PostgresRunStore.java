package io.quackrunner.store;

/**
 * The shared {@link RunStore}: tables {@code runs} and {@code callbacks} of a {@link
 * PostgresDatabase}, each statement on a pooled connection. A claim's uniqueness is the database's
 * ({@code UNIQUE (trigger_hash)} with {@code ON CONFLICT DO NOTHING}, which waits for a concurrent
 * inserter's transaction), so of any number of nodes claiming one trigger exactly one inserts.
 */
public final class PostgresRunStore extends SqlRunStore {
  private final SharedQueue queue;

  private PostgresRunStore(SqlAccess access, PostgresDatabase db) {
    super(access, SqlNodeStore.POSTGRES_NOW, FENCE_FOR_SHARE);
    this.queue = new SharedQueue(access, this, db::connection);
  }

  @Override
  public java.util.Optional<SharedQueue> sharedQueue() {
    return java.util.Optional.of(queue);
  }

  /** Opens the store on an opened database; closing the store returns its share of the pool. */
  public static PostgresRunStore open(PostgresDatabase db) {
    return new PostgresRunStore(db.access(), db);
  }
}
