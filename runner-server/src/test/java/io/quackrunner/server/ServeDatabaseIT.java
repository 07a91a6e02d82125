package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.testing.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code runner serve --database URL} against a real throwaway PostgreSQL: a run's record and
 * receipt land in the database, and each bad start is one line on stderr with its kind's exit code.
 */
class ServeDatabaseIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Test
  void aRunOnPostgresqlHasItsRecordAndReceiptInTheDatabase() throws Exception {
    Path state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    String url = withLogin(PG.newDatabase(), PG.password());
    ServerOptions o = options(state, "--database", url, "--node-id", "gw-1", "--node-lease", "3s");
    assertThat(o.nodeLeaseMs()).isEqualTo(3000);
    try (GatewayServer g = GatewayServer.start(o)) {
      TestApi api = new TestApi(g.uri(), alice, null);
      var accepted = api.post("/runs", alice, TestApi.sh("echo hi", "pg-1"));
      assertThat(accepted.statusCode()).as(accepted.body()).isIn(200, 201, 202);
      String id = TestApi.json(accepted).get("id").asText();
      JsonNode done = api.awaitStatus(id, alice, "SUCCEEDED");
      assertThat(done.get("status").asText()).isEqualTo("SUCCEEDED");
      var receipt = api.get("/runs/" + id + "/receipt", alice);
      // The receipt is recorded just after the terminal status.
      for (int i = 0; i < 600 && receipt.statusCode() == 404; i++) {
        Thread.sleep(50);
        receipt = api.get("/runs/" + id + "/receipt", alice);
      }
      assertThat(receipt.statusCode()).as(receipt.body()).isEqualTo(200);
    }
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM runs WHERE receipt_json IS NOT NULL),"
                    + " (SELECT size FROM ledger_head)")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(1);
      assertThat(r.getLong(2)).isEqualTo(1);
    }
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT n.id, n.epoch, n.state, n.lease_ms, (SELECT owner FROM runs),"
                    + " (SELECT count(*) FROM node_keys k WHERE k.public_key = n.public_key)"
                    + " FROM nodes n")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo("gw-1");
      assertThat(r.getLong(2)).isEqualTo(1);
      assertThat(r.getString(3)).as("a clean stop retires the node").isEqualTo("retired");
      assertThat(r.getLong(4)).isEqualTo(3000);
      assertThat(r.getString(5)).isEqualTo("node:gw-1:1");
      assertThat(r.getLong(6)).as("its key is listed").isEqualTo(1);
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void aMalformedUrlIsBadUsage() throws Exception {
    assertRefused(ErrorKind.USAGE, "not a PostgreSQL URL", "--database", "mysql://h/db");
  }

  @Test
  void anUnreachableServerIsUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertRefused(
        ErrorKind.UNAVAILABLE,
        "cannot reach database",
        "--database",
        "postgresql://postgres:x@127.0.0.1:" + port + "/nothing?connectTimeout=2");
  }

  @Test
  void aRefusedLoginIsUnauthenticatedAndThePasswordIsNotPrinted() throws Exception {
    String err =
        assertRefused(
            ErrorKind.UNAUTHENTICATED,
            "refused the login",
            "--database",
            withLogin(PG.url(), "wrong-secret"));
    assertThat(err).doesNotContain("wrong-secret");
  }

  @Test
  void pendingMigrationsAreRefusedWithoutMigrateAndANewerSchemaAlways() throws Exception {
    String url = withLogin(PG.newDatabase(), PG.password());
    Path state = TestApi.newStateDir();
    GatewayServer.start(options(state, "--database", url)).close(); // an empty database is made
    sql(
        url,
        "DELETE FROM flyway_schema_history WHERE version = '"
            + io.quackrunner.store.Schema.Location.POSTGRESQL.version()
            + "'");
    sql(
        url,
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
            + " installed_by, execution_time, success) VALUES (5, '0', 'older', 'BASELINE',"
            + " 'older', 'test', 0, true)");
    assertRefused(ErrorKind.SCHEMA_MISMATCH, "start once with --migrate", "--database", url);
    sql(
        url,
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
            + " installed_by, execution_time, success) VALUES (6, '99', 'future', 'SQL',"
            + " 'V99__future.sql', 'test', 0, true)");
    assertRefused(ErrorKind.SCHEMA_MISMATCH, "newer than this runner", "--database", url);
    assertRefused(
        ErrorKind.SCHEMA_MISMATCH, "newer than this runner", "--database", url, "--migrate");
  }

  @Test
  void migrateWithoutADatabaseIsBadUsage() throws Exception {
    assertRefused(ErrorKind.USAGE, "--migrate applies to --database only", "--migrate");
    assertRefused(
        ErrorKind.USAGE,
        "--node-id and --node-lease apply to --database only",
        "--node-lease",
        "5s");
    assertRefused(ErrorKind.USAGE, "a node id is 1 to 64", "--node-id", "a:b");
  }

  private static String assertRefused(ErrorKind kind, String message, String... extra)
      throws Exception {
    Path state = TestApi.newStateDir();
    List<String> args = args(state, extra);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ServerMain.run(
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isEqualTo(kind.exitCode());
    assertThat(text).startsWith("runner serve: ").contains(message);
    assertThat(text.strip().lines()).as("one line").hasSize(1);
    return text;
  }

  private static ServerOptions options(Path state, String... extra) {
    return ServerOptions.parse(args(state, extra));
  }

  private static List<String> args(Path state, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--port",
                "0",
                "--state-dir",
                state.toString(),
                "--registry",
                TestApi.REGISTRY.toString(),
                "--concurrency",
                "2"));
    a.addAll(List.of(extra));
    return a;
  }

  private static String withLogin(String jdbcUrl, String password) {
    return jdbcUrl + "?user=" + PG.user() + "&password=" + password;
  }

  private static void sql(String url, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
