package io.quackrunner.testing;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension giving each test class its own empty database on one throwaway {@link
 * PostgresServer} per test JVM, started on first use and stopped when the test run ends.
 *
 * <p>Use as {@code @RegisterExtension static final PostgresExtension PG = new PostgresExtension();}
 * and call {@link #url()} (a JDBC URL) or {@link #newDatabase()} in tests.
 */
public final class PostgresExtension implements BeforeAllCallback {
  private static final AtomicLong COUNTER = new AtomicLong();
  private PostgresServer server;
  private String url;

  @Override
  public void beforeAll(ExtensionContext context) {
    server =
        context
            .getRoot()
            .getStore(ExtensionContext.Namespace.create(PostgresExtension.class))
            .getOrComputeIfAbsent("server", k -> new Closing(PostgresServer.start()), Closing.class)
            .server;
    url = newDatabase();
  }

  /** Returns the server. */
  public PostgresServer server() {
    return server;
  }

  /** Returns the JDBC URL of this test class's database. */
  public String url() {
    return url;
  }

  /** Creates another empty database and returns its JDBC URL. */
  public String newDatabase() {
    return server.createDatabase(
        "qr_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet());
  }

  /** Returns the superuser name. */
  public String user() {
    return PostgresServer.USER;
  }

  /** Returns the superuser's password. */
  public String password() {
    return PostgresServer.PASSWORD;
  }

  /** Stops the server when JUnit closes the root store at the end of the run. */
  private record Closing(PostgresServer server) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
