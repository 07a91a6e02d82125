package io.quackrunner.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shared PostgreSQL database (pgjdbc behind a HikariCP pool), checked and migrated at open; the
 * stores of one process share its pool, which closes when the last of them and the opener have
 * closed it.
 *
 * <p>URLs: {@code postgresql://[user[:password]@]host[:port]/database[?param=value…]} (the libpq
 * form) or {@code jdbc:postgresql://…} (pgjdbc's form, {@code user} and {@code password} as
 * parameters). Start-up errors, each one line: a malformed URL is {@link ErrorKind#USAGE}; a server
 * that cannot be reached is {@link ErrorKind#UNAVAILABLE}; a refused login is {@link
 * ErrorKind#UNAUTHENTICATED}; a schema that is not the code's is {@link ErrorKind#SCHEMA_MISMATCH}
 * ({@link Schema}).
 */
public final class PostgresDatabase implements AutoCloseable {
  /** How long opening waits for the server, in milliseconds. */
  static final long CONNECT_TIMEOUT_MS = 10_000;

  /**
   * How long a request waits for a pooled connection once open, in milliseconds: while the server
   * is down a request fails fast as UNAVAILABLE ({@link SqlErrors}) instead of hanging.
   */
  static final long POOL_TIMEOUT_MS = 3_000;

  private final HikariDataSource pool;
  private final String name;
  private final AtomicInteger holders = new AtomicInteger(1);

  private PostgresDatabase(HikariDataSource pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  /**
   * Connects, checks the schema version and applies pending migrations when {@code policy} allows.
   *
   * @param url a {@code postgresql://} or {@code jdbc:postgresql://} URL
   * @param poolSize the most connections the pool holds
   * @throws RunnerException of kind USAGE, UNAVAILABLE, UNAUTHENTICATED or SCHEMA_MISMATCH
   */
  public static PostgresDatabase open(String url, Schema.Policy policy, int poolSize) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl(url));
    cfg.setMaximumPoolSize(poolSize);
    cfg.setMinimumIdle(1);
    cfg.setConnectionTimeout(POOL_TIMEOUT_MS);
    cfg.setInitializationFailTimeout(CONNECT_TIMEOUT_MS);
    cfg.setPoolName("quackrunner-postgresql");
    String name = redacted(url);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(cfg);
    } catch (HikariPool.PoolInitializationException e) {
      throw connectFailed(name, e.getCause() instanceof SQLException s ? s : null, e);
    } catch (RuntimeException e) {
      throw new RunnerException(ErrorKind.USAGE, "--database " + name + ": " + e.getMessage(), e);
    }
    PostgresDatabase db = new PostgresDatabase(pool, name);
    try (Connection c = pool.getConnection()) {
      Schema.prepare(c, () -> pool, Schema.Location.POSTGRESQL, policy, name);
      return db;
    } catch (SQLException e) {
      pool.close();
      throw connectFailed(name, e, e);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** Returns the database's URL without its password, as messages name it. */
  public String name() {
    return name;
  }

  /** Takes a share of the pool for a store; the store's {@link SqlAccess#close} returns it. */
  SqlAccess access() {
    holders.incrementAndGet();
    return new Pooled();
  }

  /** Takes a share of the pool for a store outside this package; {@link #close} returns it. */
  public PostgresDatabase retain() {
    holders.incrementAndGet();
    return this;
  }

  /** Returns a connection from the pool; the caller closes it. */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /** Releases one share of the pool (the opener's, or one {@link #retain} took). */
  @Override
  public void close() {
    release();
  }

  private void release() {
    if (holders.decrementAndGet() == 0) {
      pool.close();
    }
  }

  private final class Pooled implements SqlAccess {
    private boolean closed;

    @Override
    public <T> T call(Work<T> work) throws SQLException {
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      }
    }

    @Override
    public <T> T transaction(Work<T> work) throws SQLException {
      try (Connection c = pool.getConnection()) {
        return SqlAccess.inTransaction(c, work);
      }
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release();
      }
    }
  }

  /**
   * Returns pgjdbc's form of a {@code postgresql://} or {@code jdbc:postgresql://} URL.
   *
   * @throws RunnerException of kind USAGE when it is neither
   */
  static String jdbcUrl(String url) {
    if (url.startsWith("jdbc:postgresql://")) {
      return url;
    }
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new RunnerException(
          ErrorKind.USAGE,
          "--database "
              + redacted(url)
              + ": not a PostgreSQL URL (postgresql://host[:port]/database or"
              + " jdbc:postgresql://…)");
    }
    try {
      URI u = new URI(url);
      if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
        throw new URISyntaxException(url, "a host and a database are needed");
      }
      StringBuilder out =
          new StringBuilder("jdbc:postgresql://")
              .append(u.getHost())
              .append(u.getPort() < 0 ? "" : ":" + u.getPort())
              .append(u.getRawPath());
      String sep = "?";
      if (u.getRawQuery() != null) {
        out.append("?").append(u.getRawQuery());
        sep = "&";
      }
      if (u.getRawUserInfo() != null) {
        String[] up = u.getRawUserInfo().split(":", 2);
        out.append(sep).append("user=").append(up[0]);
        if (up.length == 2) {
          out.append("&password=").append(up[1]);
        }
      }
      return out.toString();
    } catch (URISyntaxException e) {
      throw new RunnerException(
          ErrorKind.USAGE, "--database " + redacted(url) + ": " + e.getReason());
    }
  }

  /** Returns {@code url} with any password replaced by {@code ***}. */
  static String redacted(String url) {
    return url.replaceAll("(//[^/:@]*:)[^@/]*@", "$1***@")
        .replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  private static RunnerException connectFailed(String name, SQLException s, Exception e) {
    String state = s == null ? "" : String.valueOf(s.getSQLState());
    String why = s == null ? String.valueOf(e.getMessage()) : String.valueOf(s.getMessage());
    why = why.lines().findFirst().orElse("");
    if (state.startsWith("28")) { // invalid authorization specification, invalid password
      return new RunnerException(
          ErrorKind.UNAUTHENTICATED, "database " + name + " refused the login: " + why, e);
    }
    if (state.equals("3D000")) {
      return new RunnerException(
          ErrorKind.CONFIGURATION, "database " + name + " does not exist: " + why, e);
    }
    return new RunnerException(
        ErrorKind.UNAVAILABLE, "cannot reach database " + name + ": " + why, e);
  }
}
