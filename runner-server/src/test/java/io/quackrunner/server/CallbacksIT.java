package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.callbacks.CallbackPolicy;
import io.quackrunner.callbacks.CallbackTarget;
import io.quackrunner.callbacks.CallbackTransport;
import io.quackrunner.receipts.CheckResult;
import io.quackrunner.receipts.ReceiptCheck;
import io.quackrunner.receipts.ReceiptVerifier;
import io.quackrunner.receipts.VerifierKey;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Receipt callbacks end to end, against a real receiver on loopback (allow-listed by its address,
 * as a loopback destination must be): retries with backoff until delivered, at-least-once with a
 * receiver that dedups on {@code Idempotency-Key}, the delivered envelope verifies, and the SSRF
 * defences (allow-list, a name resolving to loopback, no redirects, the pinned address) hold.
 */
class CallbacksIT {
  static CallbackReceiver receiver;
  static Path state;
  static GatewayServer server;
  static TestApi api;
  static String alice;
  static OpenApiCheck openapi;

  @BeforeAll
  static void start() throws Exception {
    receiver = new CallbackReceiver();
    state = TestApi.newStateDir();
    alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    Files.writeString(state.resolve("callbacks.yaml"), policy(receiver.port()));
    server = TestApi.start(TestApi.options(state, 2, 16));
    api = new TestApi(server.uri(), alice, null);
    openapi = new OpenApiCheck(api.get("/openapi.json", null).body());
  }

  static String policy(int port) {
    return String.join(
        "\n",
        "callbacks: 1",
        "allow:",
        "  - http://127.0.0.1:" + port + "   # an address literal: explicit, loopback allowed",
        "  - http://localhost:" + port + "   # a name: may not resolve to loopback",
        "initial_backoff: 200ms",
        "max_backoff: 1s",
        "give_up_after: 2m",
        "connect_timeout: 2s",
        "read_timeout: 2s",
        "");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    receiver.close();
  }

  static String withCallback(String script, String url) throws Exception {
    var n =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            TestApi.JSON.readTree(TestApi.sh(script, null));
    n.put("callback", url);
    return TestApi.JSON.writeValueAsString(n);
  }

  static JsonNode awaitCallback(TestApi api, String id, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode r;
    do {
      r = TestApi.json(api.get("/runs/" + id, alice));
      if (r.at("/callback/state").asText().equals(state)) {
        return r;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("callback of " + id + " stayed " + r.get("callback"));
  }

  static String unique(String path) {
    return path + "-" + java.util.UUID.randomUUID();
  }

  static VerifierKey serverKey(TestApi api) throws Exception {
    return VerifierKey.parse(
        TestApi.json(api.get("/keys", null)).at("/keys/0/verifier_key").asText());
  }

  @Test
  void aReceiverFailingThreeTimesGetsTheEnvelopeOnTheFourthAttemptAndItVerifies() throws Exception {
    String path = unique("/flaky");
    receiver.failFirst(path, 3);
    HttpResponse<String> sub =
        api.post("/runs", alice, withCallback("echo flaky", receiver.url(path)));
    assertThat(sub.statusCode()).as(sub.body()).isEqualTo(202);
    String id = TestApi.json(sub).get("id").asText();
    assertThat(TestApi.json(sub).at("/callback/state").asText()).isEqualTo("PENDING");

    JsonNode done = awaitCallback(api, id, "DELIVERED");
    assertThat(openapi.violations("RunResult", done.toString())).isEmpty();
    assertThat(done.at("/callback/attempts").asInt()).isEqualTo(4);
    assertThat(done.at("/callback/last_error").isNull()).isTrue();
    assertThat(done.at("/callback/url").asText()).isEqualTo(receiver.url(path));
    List<CallbackReceiver.Received> got = receiver.at(path);
    assertThat(got).hasSize(4);
    byte[] stored =
        api.get("/runs/" + id + "/receipt", alice).body().getBytes(StandardCharsets.UTF_8);
    for (CallbackReceiver.Received r : got) {
      assertThat(r.contentType()).isEqualTo("application/vnd.dsse.envelope.v1+json");
      assertThat(r.key()).isEqualTo("\"" + id + "\"");
      assertThat(r.body()).isEqualTo(stored);
    }
    var report = new ReceiptVerifier(List.of(serverKey(api))).verify(got.get(3).body(), null, null);
    assertThat(report.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.PASS);
    assertThat(report.result(ReceiptCheck.CANONICAL).outcome()).isEqualTo(CheckResult.Outcome.PASS);
    assertThat(report.statement().orElseThrow().toString()).contains(id);
    String metrics = api.get("/metrics", null).body();
    assertThat(metrics)
        .containsPattern(
            "quackrunner_callback_attempts_total\\{outcome=\"failed\"} ([3-9]|[1-9][0-9]+)\\.");
    assertThat(metrics).containsPattern("quackrunner_callbacks\\{state=\"DELIVERED\"} [1-9]");
  }

  @Test
  void aSlowAcceptIsDeliveredAgainAndTheReceiverKeepsExactlyOne() throws Exception {
    String path = unique("/slow");
    receiver.slowFirst(path, 5_000); // beyond the 2 s read timeout: the runner must retry
    String id =
        TestApi.json(api.post("/runs", alice, withCallback("echo slow", receiver.url(path))))
            .get("id")
            .asText();
    JsonNode done = awaitCallback(api, id, "DELIVERED");
    assertThat(done.at("/callback/attempts").asInt()).isGreaterThanOrEqualTo(2);
    List<CallbackReceiver.Received> got = receiver.at(path);
    assertThat(got).hasSizeGreaterThanOrEqualTo(2);
    assertThat(got).extracting(CallbackReceiver.Received::key).containsOnly("\"" + id + "\"");
    assertThat(receiver.accepted).containsKey("\"" + id + "\"");
    assertThat(receiver.accepted.keySet().stream().filter(k -> k.contains(id))).hasSize(1);
    assertThat(got.size() - 1).as("duplicates the receiver recognised").isPositive();
  }

  @Test
  void aDestinationNotOnTheAllowListIsRefusedAtSubmitAndNothingRuns() throws Exception {
    long before = server.service().store().count();
    for (String url :
        List.of(
            "http://127.0.0.1:" + (receiver.port() == 1 ? 2 : receiver.port() - 1) + "/x",
            "https://127.0.0.1:" + receiver.port() + "/x",
            "http://user:pw@127.0.0.1:" + receiver.port() + "/x",
            "file:///etc/passwd",
            "http://169.254.169.254/latest/meta-data/")) {
      HttpResponse<String> r = api.post("/runs", alice, withCallback("echo never", url));
      assertThat(r.statusCode()).as(url).isEqualTo(400);
      assertThat(TestApi.json(r).get("type").asText())
          .isEqualTo("https://quackrunner.io/problems/callback-refused");
      assertThat(openapi.violations("Problem", r.body())).isEmpty();
    }
    assertThat(server.service().store().count()).isEqualTo(before);
  }

  @Test
  void aNameResolvingToLoopbackIsRefusedAtSubmitEvenWhenTheNameIsAllowListed() throws Exception {
    long before = server.service().store().count();
    HttpResponse<String> r =
        api.post(
            "/runs",
            alice,
            withCallback("echo never", "http://localhost:" + receiver.port() + "/name"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestApi.json(r).get("type").asText())
        .isEqualTo("https://quackrunner.io/problems/callback-refused");
    assertThat(TestApi.json(r).get("detail").asText()).contains("loopback");
    assertThat(server.service().store().count()).isEqualTo(before);
    assertThat(receiver.at("/name")).isEmpty();
  }

  @Test
  void aRedirectIsNotFollowed() throws Exception {
    String moved = unique("/moved");
    String target = unique("/target");
    receiver.redirect(moved, receiver.url(target));
    String id =
        TestApi.json(api.post("/runs", alice, withCallback("echo moved", receiver.url(moved))))
            .get("id")
            .asText();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode r;
    do {
      r = TestApi.json(api.get("/runs/" + id, alice));
      Thread.sleep(100);
    } while (r.at("/callback/attempts").asInt() < 2 && System.nanoTime() < deadline);
    assertThat(r.at("/callback/state").asText()).isEqualTo("PENDING");
    assertThat(r.at("/callback/last_error").asText()).contains("HTTP 302");
    assertThat(receiver.at(moved)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(receiver.at(target)).isEmpty();
  }

  @Test
  void theConnectionGoesToThePinnedAddressWithoutLookingTheNameUp() throws Exception {
    // .invalid never resolves (RFC 6761): delivery can only succeed by the pinned address.
    String path = unique("/pinned");
    URI url = URI.create("http://receiver.invalid:" + receiver.port() + path);
    try (JettyCallbackTransport t = new JettyCallbackTransport()) {
      CallbackTransport.Attempt a =
          t.post(
              new CallbackTarget(url, InetAddress.getByName("127.0.0.1")),
              "{}".getBytes(StandardCharsets.UTF_8),
              "pin-test",
              new CallbackPolicy.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
      assertThat(a.delivered()).as(a.error()).isTrue();
    }
    assertThat(receiver.at(path))
        .singleElement()
        .extracting(CallbackReceiver.Received::host)
        .isEqualTo("receiver.invalid:" + receiver.port());
  }
}
