package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounded concurrency and queue: a full queue answers 429 with Retry-After; nothing accepted is
 * lost.
 */
class QueueIT {
  @Test
  void aFullQueueAnswers429AndAcceptedRunsAllEnd() throws Exception {
    var state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    try (GatewayServer g = TestApi.start(TestApi.options(state, 1, 2))) {
      TestApi api = new TestApi(g.uri(), alice, null);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r =
            api.post("/runs", alice, TestApi.sh("sleep 2; echo " + i, "q" + i));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        ids.add(TestApi.json(r).get("id").asText());
      }
      HttpResponse<String> full = api.post("/runs", alice, TestApi.sh("echo late", "q3"));
      assertThat(full.statusCode()).isEqualTo(429);
      assertThat(full.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(TestApi.json(full).get("type").asText())
          .isEqualTo("https://quackrunner.io/problems/busy");
      assertThat(TestApi.json(api.get("/readyz", null)).get("queue_depth").asInt()).isEqualTo(2);
      // A replay of an accepted run is still answered while the queue is full.
      assertThat(api.post("/runs", alice, TestApi.sh("sleep 2; echo 1", "q1")).statusCode())
          .isEqualTo(202);
      // Cancelling a queued run: it never starts.
      HttpResponse<String> c = api.delete("/runs/" + ids.get(2), alice);
      assertThat(TestApi.json(c).get("status").asText()).isEqualTo("CANCELLED");
      assertThat(TestApi.json(c).at("/timings/started_at").isNull()).isTrue();
      for (int i = 0; i < 2; i++) {
        var done = api.awaitStatus(ids.get(i), alice, "SUCCEEDED");
        assertThat(api.get("/runs/" + ids.get(i) + "/logs?stream=stdout", alice).body())
            .isEqualTo(i + "\n");
        assertThat(done.get("exit_code").asInt()).isZero();
      }
      HttpResponse<String> after = api.post("/runs?wait=30", alice, TestApi.sh("echo late", "q3"));
      assertThat(after.statusCode()).isEqualTo(200);
    }
  }
}
