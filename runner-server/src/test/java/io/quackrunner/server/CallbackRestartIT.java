package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.receipts.CheckResult;
import io.quackrunner.receipts.ReceiptCheck;
import io.quackrunner.receipts.ReceiptVerifier;
import io.quackrunner.server.load.ChildServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A receipt callback survives {@code kill -9} of the server between two attempts: the next server
 * on the same state directory continues from the outbox (the attempt count goes on) and the
 * receiver, which dedups on {@code Idempotency-Key}, accepts the envelope exactly once.
 */
class CallbackRestartIT {
  @Test
  void deliveryGoesOnAfterTheServerIsKilledBetweenAttempts() throws Exception {
    try (CallbackReceiver receiver = new CallbackReceiver()) {
      receiver.failFirst("/restart", 2);
      Path state = TestApi.newStateDir();
      String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
      Files.writeString(
          state.resolve("callbacks.yaml"),
          String.join(
              "\n",
              "callbacks: 1",
              "allow:",
              "  - http://127.0.0.1:" + receiver.port(),
              "initial_backoff: 4s # long enough to kill the server between attempts",
              "max_backoff: 4s",
              "give_up_after: 5m",
              "connect_timeout: 2s",
              "read_timeout: 2s",
              ""));
      ChildServer first = ChildServer.start(state, state, TestApi.REGISTRY, 1, 4);
      String id;
      try {
        TestApi api = new TestApi(first.uri, alice, null);
        id =
            TestApi.json(
                    api.post(
                        "/runs",
                        alice,
                        CallbacksIT.withCallback("echo restart", receiver.url("/restart"))))
                .get("id")
                .asText();
        // Between attempts: the first one failed and its failure is recorded.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode r;
        do {
          Thread.sleep(50);
          r = TestApi.json(api.get("/runs/" + id, alice));
        } while (r.at("/callback/last_error").isNull() && System.nanoTime() < deadline);
        assertThat(r.at("/callback/last_error").asText()).contains("HTTP 503");
        assertThat(r.at("/callback/attempts").asInt()).isEqualTo(1);
      } finally {
        first.kill9();
      }
      assertThat(receiver.at("/restart")).hasSize(1);

      ChildServer second = ChildServer.start(state, state, TestApi.REGISTRY, 1, 4);
      try {
        TestApi api = new TestApi(second.uri, alice, null);
        JsonNode done = awaitDelivered(api, alice, id);
        assertThat(done.at("/callback/attempts").asInt()).isEqualTo(3);
        List<CallbackReceiver.Received> got = receiver.at("/restart");
        assertThat(got).hasSize(3);
        assertThat(got).extracting(CallbackReceiver.Received::key).containsOnly("\"" + id + "\"");
        assertThat(receiver.accepted.keySet()).containsExactly("\"" + id + "\"");
        var report =
            new ReceiptVerifier(List.of(CallbacksIT.serverKey(api)))
                .verify(receiver.accepted.get("\"" + id + "\""), null, null);
        assertThat(report.result(ReceiptCheck.SIGNATURE).outcome())
            .isEqualTo(CheckResult.Outcome.PASS);
        assertThat(Files.readString(second.log)).contains("callback.delivered");
      } finally {
        second.stop();
      }
    }
  }

  private static JsonNode awaitDelivered(TestApi api, String token, String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode r;
    do {
      r = TestApi.json(api.get("/runs/" + id, token));
      if (r.at("/callback/state").asText().equals("DELIVERED")) {
        return r;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("callback of " + id + " stayed " + r.get("callback"));
  }
}
