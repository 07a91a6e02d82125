package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.server.load.ChildServer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery: the server runs as a child JVM that is killed with SIGKILL mid-run, then started
 * again on the same state directory.
 */
class RestartIT {
  @Test
  void aRunningRunBecomesInterruptedAndQueuedRunsResume() throws Exception {
    Path state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    ChildServer first = ChildServer.start(state, state, TestApi.REGISTRY, 1, 4);
    TestApi api = new TestApi(first.uri, alice, null);
    String slow = TestApi.sh("echo started; sleep 60; echo never", "slow");
    String a = TestApi.json(api.post("/runs", alice, slow)).get("id").asText();
    String b =
        TestApi.json(api.post("/runs", alice, TestApi.sh("echo resumed", "queued")))
            .get("id")
            .asText();
    JsonNode running = api.awaitStatus(a, alice, "RUNNING");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!api.get("/runs/" + a + "/logs?stream=stdout", alice).body().contains("started")) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(TestApi.json(api.get("/runs/" + b, alice)).get("status").asText())
        .isEqualTo("QUEUED");

    first.kill9(); // SIGKILL: no shutdown hook runs

    ChildServer second = ChildServer.start(state, state, TestApi.REGISTRY, 1, 4);
    try {
      TestApi api2 = new TestApi(second.uri, alice, null);
      JsonNode ra = TestApi.json(api2.get("/runs/" + a, alice));
      assertThat(ra.get("status").asText()).isEqualTo("INTERRUPTED");
      assertThat(ra.at("/error/detail").asText()).contains("not re-executed");
      assertThat(ra.at("/timings/started_at").asText())
          .isEqualTo(running.at("/timings/started_at").asText());
      assertThat(api2.get("/runs/" + a + "/logs?stream=stdout", alice).body())
          .isEqualTo("started\n");
      assertThat(state.resolve("sandboxes").resolve(a)).doesNotExist();
      var receipt = api2.get("/runs/" + a + "/receipt", alice);
      assertThat(receipt.statusCode()).isEqualTo(200);
      assertThat(GatewayIT.statement(receipt).at("/predicate/run_status").asText())
          .isEqualTo("INTERRUPTED");
      JsonNode rb = api2.awaitStatus(b, alice, "SUCCEEDED");
      assertThat(api2.get("/runs/" + b + "/logs?stream=stdout", alice).body())
          .isEqualTo("resumed\n");
      assertThat(rb.get("exit_code").asInt()).isZero();
      // The same trigger again is the same, interrupted run: it is not executed a second time.
      var replay = api2.post("/runs?wait=5", alice, slow);
      assertThat(replay.statusCode()).isEqualTo(200);
      assertThat(TestApi.json(replay).get("id").asText()).isEqualTo(a);
      assertThat(TestApi.json(replay).get("status").asText()).isEqualTo("INTERRUPTED");
      Thread.sleep(500);
      assertThat(TestApi.json(api2.get("/runs/" + a, alice)).get("status").asText())
          .isEqualTo("INTERRUPTED");
      assertThat(api2.get("/runs/" + a + "/logs?stream=stdout", alice).body())
          .doesNotContain("never");
    } finally {
      second.stop();
    }
  }
}
