package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery: the server runs as a child JVM that is killed with SIGKILL mid-run, then started
 * again on the same state directory.
 */
class RestartIT {
  private record Child(Process process, URI uri) {}

  private static Child startServer(Path state) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String cp =
        System.getProperty("quackrunner.classes")
            + ":"
            + Files.readString(Path.of(System.getProperty("quackrunner.classpath.file"))).strip();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"),
                "-cp",
                cp,
                "io.quackrunner.server.ServerMain",
                "--port",
                "0",
                "--state-dir",
                state.toString(),
                "--registry",
                TestApi.REGISTRY.toString(),
                "--concurrency",
                "1",
                "--queue",
                "4"));
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(state.resolve("server-" + System.nanoTime() + ".log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("listening on ")) {
        Thread.ofVirtual().start(() -> drain(out));
        return new Child(p, URI.create(line.substring("listening on ".length()).strip()));
      }
    }
    throw new AssertionError("the server did not start (exit " + p.waitFor() + ")");
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // keep the pipe empty
      }
    } catch (Exception ignored) {
      // the child is gone
    }
  }

  @Test
  void aRunningRunBecomesInterruptedAndQueuedRunsResume() throws Exception {
    Path state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    Child first = startServer(state);
    TestApi api = new TestApi(first.uri(), alice, null);
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

    first.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

    Child second = startServer(state);
    try {
      TestApi api2 = new TestApi(second.uri(), alice, null);
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
      second.process().destroy();
      second.process().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
