package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Egress through the HTTP API: a real server on loopback, real sandboxes. The registry's allow-list
 * is the most a run gets: a request's {@code allow_hosts} may narrow it and is refused (403) when
 * it would widen it. Allowed destinations are covered by the core's EgressIT, against test hosts.
 */
class EgressApiIT {
  static final Path REGISTRY =
      Path.of("src/test/resources/registry/egress-tools.yaml").toAbsolutePath();
  static GatewayServer server;
  static TestApi api;
  static OpenApiCheck openapi;

  @BeforeAll
  static void start() throws Exception {
    Path state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    ServerOptions o = TestApi.options(state, 2, 8);
    server =
        TestApi.start(
            new ServerOptions(
                o.port(),
                o.bind(),
                o.stateDir(),
                REGISTRY,
                o.tokens(),
                o.limits(),
                o.concurrency(),
                o.queue(),
                o.maxBodyBytes(),
                o.maxInputBytes(),
                null,
                null,
                null));
    api = new TestApi(server.uri(), alice, null);
    openapi = new OpenApiCheck(api.get("/openapi.json", null).body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String request(String tool, String script, List<String> allowHosts) throws Exception {
    ObjectNode n = TestApi.JSON.createObjectNode().put("tool", tool).put("version", "1");
    n.put("verb", "run").putObject("params").put("script", script);
    if (allowHosts != null) {
      var a = n.putArray("allow_hosts");
      allowHosts.forEach(a::add);
    }
    return TestApi.JSON.writeValueAsString(n);
  }

  /**
   * The run's receipt statement, once it is issued (the status can be terminal a moment before).
   */
  static JsonNode receipt(String id) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    HttpResponse<String> r;
    do {
      r = api.get("/runs/" + id + "/receipt", api.alice);
      if (r.statusCode() == 200) {
        return GatewayIT.statement(r);
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no receipt for " + id + ": " + r.statusCode() + " " + r.body());
  }

  @Test
  void aRequestThatWouldWidenTheToolsAllowListIsRefusedBeforeAnythingRuns() throws Exception {
    for (List<String> wider :
        List.of(
            List.of("web-b.test:8080"),
            List.of("web-a.test:8081"),
            List.of("*.other.test:8080"),
            List.of("pkg.test:8080"),
            List.of("web-a.test:8080", "203.0.113.2:8080"))) {
      HttpResponse<String> r = api.post("/runs", api.alice, request("fetch", "true", wider));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
      assertThat(TestApi.json(r).get("type").asText()).endsWith("/forbidden");
      assertThat(TestApi.json(r).get("detail").asText()).contains("never widen");
    }
    HttpResponse<String> none =
        api.post("/runs", api.alice, request("offline", "true", List.of("web-a.test:8080")));
    assertThat(none.statusCode()).as(none.body()).isEqualTo(403);
    assertThat(TestApi.json(none).get("detail").asText()).contains("has no egress");
    HttpResponse<String> bad =
        api.post("/runs", api.alice, request("fetch", "true", List.of("web-a.test")));
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(TestApi.json(bad).get("detail").asText()).contains("port is required");
  }

  @Test
  void aNarrowedListIsWhatTheRunGetsAndTheReceiptSays() throws Exception {
    String script = "curl -sS -m 20 http://mirror.pkg.test:8080/narrowed-out; echo";
    HttpResponse<String> posted =
        api.post("/runs", api.alice, request("fetch", script, List.of("web-a.test:8080")));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    String id = TestApi.json(posted).get("id").asText();
    JsonNode run = api.awaitStatus(id, api.alice, null);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    assertThat(openapi.violations("RunResult", api.get("/runs/" + id, api.alice).body())).isEmpty();
    String stdout = api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body();
    assertThat(stdout)
        .contains("quackrunner egress refused mirror.pkg.test:8080: not in the allow-list");
    JsonNode p = receipt(id).get("predicate");
    assertThat(p.at("/limits/network_egress").asLong()).isEqualTo(1);
    assertThat(p.at("/network/allow").toString()).isEqualTo("[\"web-a.test:8080\"]");
    assertThat(p.at("/network/max_connections").asInt()).isEqualTo(8);
    assertThat(p.at("/network/max_bytes").asLong()).isEqualTo(1L << 20);
    assertThat(p.at("/network/destinations")).isEmpty();
    assertThat(p.at("/network/refused/0/host").asText()).isEqualTo("mirror.pkg.test");
    assertThat(p.at("/network/refused_count").asInt()).isEqualTo(1);

    HttpResponse<String> whole = api.post("/runs", api.alice, request("fetch", "true", null));
    String id2 = TestApi.json(whole).get("id").asText();
    api.awaitStatus(id2, api.alice, null);
    JsonNode p2 = receipt(id2).get("predicate");
    assertThat(p2.at("/network/allow").toString())
        .isEqualTo("[\"web-a.test:8080\",\"*.pkg.test:8080\"]");
  }

  @Test
  void aRunWithoutEgressKeepsItsReceiptShape() throws Exception {
    HttpResponse<String> posted = api.post("/runs", api.alice, request("offline", "true", null));
    String id = TestApi.json(posted).get("id").asText();
    api.awaitStatus(id, api.alice, null);
    JsonNode p = receipt(id).get("predicate");
    assertThat(p.has("network")).isFalse();
    assertThat(p.has("limits")).isTrue();
    assertThat(p.at("/limits").has("network_egress")).isFalse();
  }
}
