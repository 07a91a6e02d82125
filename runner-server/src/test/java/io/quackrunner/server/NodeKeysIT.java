package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.receipts.KeyRing;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.testing.PostgresExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /keys} of two nodes (two state directories, two key rings) on one real PostgreSQL:
 * each lists both keys from {@code node_keys}, and a retired node's key stays listed.
 */
class NodeKeysIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Test
  void everyNodeListsEveryKeyAndARetiredNodesKeyStaysListed() throws Exception {
    String url = PG.newDatabase() + "?user=" + PG.user() + "&password=" + PG.password();
    Path stateA = TestApi.newStateDir();
    Path stateB = TestApi.newStateDir();
    String tokenB = TokenStore.issue(stateB.resolve("tokens/tokens"), "bob");
    String keyA = activeKeyId(stateA);
    String keyB = activeKeyId(stateB);
    assertThat(keyA).isNotEqualTo(keyB);
    GatewayServer a = GatewayServer.start(options(stateA, url, "node-a"));
    try (GatewayServer b = GatewayServer.start(options(stateB, url, "node-b"))) {
      String tokenA = TokenStore.issue(stateA.resolve("tokens/tokens"), "alice");
      Map<String, JsonNode> onA = keys(new TestApi(a.uri(), tokenA, null), tokenA);
      Map<String, JsonNode> onB = keys(new TestApi(b.uri(), tokenB, null), tokenB);
      assertThat(onA).containsOnlyKeys(keyA, keyB);
      assertThat(onB).containsOnlyKeys(keyA, keyB);
      assertThat(onB.get(keyB).get("status").asText()).isEqualTo("active");
      assertThat(onB.get(keyA).get("status").asText()).isEqualTo("listed");
      assertThat(onB.get(keyA).get("node_id").asText()).isEqualTo("node-a");
      assertThat(onB.get(keyA).get("node_state").asText()).isEqualTo("live");
      assertThat(onB.get(keyA).get("algorithm").asText()).isEqualTo("ed25519");
      assertThat(onB.get(keyA).get("first_seen").asText()).endsWith("Z");
      assertThat(onB.get(keyA).get("verifier_key").asText())
          .isEqualTo(onA.get(keyA).get("verifier_key").asText())
          .startsWith(keyA + "+");
      assertThat(onB.get(keyA).get("public_key").asText())
          .isEqualTo(onA.get(keyA).get("public_key").asText());
      assertThat(onA.get(keyB).get("node_id").asText()).isEqualTo("node-b");

      a.close(); // a clean stop retires node-a
      Map<String, JsonNode> after = keys(new TestApi(b.uri(), tokenB, null), tokenB);
      assertThat(after).containsOnlyKeys(keyA, keyB);
      assertThat(after.get(keyA).get("node_state").asText()).isEqualTo("retired");
      assertThat(after.get(keyA).get("verifier_key").asText())
          .isEqualTo(onA.get(keyA).get("verifier_key").asText());
    } finally {
      a.close();
    }
  }

  @Test
  void onSqliteTheLocalRingIsListedWithoutANode() throws Exception {
    Path state = TestApi.newStateDir();
    String token = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    String key = activeKeyId(state);
    List<String> args = new ArrayList<>(base(state));
    try (GatewayServer g = GatewayServer.start(ServerOptions.parse(args))) {
      Map<String, JsonNode> k = keys(new TestApi(g.uri(), token, null), token);
      assertThat(k).containsOnlyKeys(key);
      assertThat(k.get(key).get("status").asText()).isEqualTo("active");
      assertThat(k.get(key).get("node_id").isNull()).isTrue();
      assertThat(k.get(key).get("node_state").isNull()).isTrue();
    }
  }

  private static String activeKeyId(Path state) {
    return KeyRing.open(state, ReceiptLog.origin(state.resolve("ledger")))
        .active()
        .verifierKey()
        .keyId();
  }

  private static Map<String, JsonNode> keys(TestApi api, String token) throws Exception {
    var resp = api.get("/keys", token);
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode k : TestApi.JSON.readTree(resp.body()).get("keys")) {
      assertThat(out.put(k.get("key_id").asText(), k)).as("listed once").isNull();
    }
    return out;
  }

  private static ServerOptions options(Path state, String url, String nodeId) {
    List<String> a = new ArrayList<>(base(state));
    a.addAll(List.of("--database", url, "--node-id", nodeId, "--node-lease", "3s"));
    return ServerOptions.parse(a);
  }

  private static List<String> base(Path state) {
    return List.of(
        "--port",
        "0",
        "--state-dir",
        state.toString(),
        "--registry",
        TestApi.REGISTRY.toString(),
        "--concurrency",
        "2");
  }
}
