package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.testing.PostgresServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL restart under a running gateway ({@code pg_ctl stop -m fast}, then start, on a
 * throwaway server of this test's own): while the database is down requests are answered 503
 * problem+json with {@code Retry-After} within the pool's timeout, never 500 and never a hang; a
 * run that finishes executing during the outage is recorded once the database is back, with its one
 * receipt; a submission refused during the outage left nothing behind and can be sent again.
 */
class DatabaseOutageIT {
  private static PostgresServer pg;

  @BeforeAll
  static void startDatabase() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopDatabase() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void requestsGet503WithRetryAfterWhileTheDatabaseIsDownAndNoRunIsLost() throws Exception {
    String url =
        pg.createDatabase("outage")
            + "?user="
            + PostgresServer.USER
            + "&password="
            + PostgresServer.PASSWORD;
    Path state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    ServerOptions o =
        ServerOptions.parse(
            List.of(
                "--port", "0",
                "--state-dir", state.toString(),
                "--registry", TestApi.REGISTRY.toString(),
                "--concurrency", "2",
                "--database", url,
                "--node-id", "gw-outage",
                "--node-lease", "30s"));
    try (GatewayServer g = GatewayServer.start(o)) {
      TestApi api = new TestApi(g.uri(), alice, null);
      String before = accepted(api.post("/runs", alice, TestApi.sh("echo before", "k-before")));
      api.awaitStatus(before, alice, "SUCCEEDED");

      String slow =
          accepted(api.post("/runs", alice, TestApi.sh("sleep 4; echo slow-done", "k-slow")));
      api.awaitStatus(slow, alice, "RUNNING");
      long startedNanos = System.nanoTime();

      pg.stop();
      long t0 = System.nanoTime();
      HttpResponse<String> read = api.get("/runs/" + slow, alice);
      long readMs = (System.nanoTime() - t0) / 1_000_000;
      assertUnavailable(read);
      t0 = System.nanoTime();
      HttpResponse<String> submit = api.post("/runs", alice, TestApi.sh("echo during", "k-during"));
      long submitMs = (System.nanoTime() - t0) / 1_000_000;
      assertUnavailable(submit);
      System.out.printf(
          "database down: GET answered 503 in %d ms, POST in %d ms%n", readMs, submitMs);
      assertThat(readMs).as("answered within the pool timeout, not hung").isLessThan(15_000);

      // The slow run ends while the database is still down: its finish must wait for it.
      long leftMs = 5_500 - (System.nanoTime() - startedNanos) / 1_000_000;
      if (leftMs > 0) {
        Thread.sleep(leftMs);
      }
      pg.startAgain();
      long back = System.nanoTime();

      JsonNode done = awaitEnd(api, alice, slow);
      assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
      assertThat(done.get("exit_code").asInt()).isZero();
      HttpResponse<String> receipt = awaitReceipt(api, alice, slow);
      assertThat(receipt.statusCode()).as(receipt.body()).isEqualTo(200);
      System.out.printf(
          "database back: the slow run's record and receipt in %d ms%n",
          (System.nanoTime() - back) / 1_000_000);

      String during = accepted(api.post("/runs", alice, TestApi.sh("echo during", "k-during")));
      api.awaitStatus(during, alice, "SUCCEEDED");
      assertThat(awaitReceipt(api, alice, during).statusCode()).isEqualTo(200);
    }
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM runs WHERE receipt_json"
                    + " IS NOT NULL AND status = 'SUCCEEDED'), (SELECT size FROM ledger_head)")) {
      r.next();
      assertThat(r.getLong(1)).as("the refused submission left no run").isEqualTo(3);
      assertThat(r.getLong(2)).as("every run succeeded with its receipt").isEqualTo(3);
      assertThat(r.getLong(3)).as("one ledger entry per run").isEqualTo(3);
    }
  }

  private static String accepted(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201, 202);
    return TestApi.json(r).get("id").asText();
  }

  private static void assertUnavailable(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.headers().firstValue("content-type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(r.headers().firstValue("retry-after")).contains("2");
    JsonNode p = TestApi.json(r);
    assertThat(p.get("status").asInt()).isEqualTo(503);
    assertThat(p.get("detail").asText()).contains("database is unavailable");
  }

  /**
   * Polls a run as a client following Retry-After would: a 503 answered while the pool reconnects
   * is waited out, any other non-200 fails.
   */
  private static JsonNode awaitEnd(TestApi api, String token, String id) throws Exception {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = api.get("/runs/" + id, token);
      if (r.statusCode() == 503) {
        assertUnavailable(r);
        Thread.sleep(200);
        continue;
      }
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode n = TestApi.json(r);
      String s = n.get("status").asText();
      if (!s.equals("QUEUED") && !s.equals("RUNNING")) {
        return n;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " did not end after the database came back");
  }

  private static HttpResponse<String> awaitReceipt(TestApi api, String token, String id)
      throws Exception {
    HttpResponse<String> r = api.get("/runs/" + id + "/receipt", token);
    for (int i = 0; i < 600 && (r.statusCode() == 404 || r.statusCode() == 503); i++) {
      Thread.sleep(50);
      r = api.get("/runs/" + id + "/receipt", token);
    }
    return r;
  }
}
