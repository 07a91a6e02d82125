package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/receipt-predicate.schema.json in step with the JSON {@link ReceiptPredicate} writes.
 */
class PredicateSchemaTest {

  @Test
  void schemaNamesExactlyThePredicateFields() throws Exception {
    Path file = Path.of("..", "docs", "receipt-predicate.schema.json");
    Assumptions.assumeTrue(Files.isRegularFile(file), "schema absent: " + file.toAbsolutePath());
    JsonNode schema = new ObjectMapper().readTree(file.toFile());
    ReceiptPredicate sample = SampleReceipts.succeeded("r", Map.of("a.txt", new byte[] {1}));
    JsonNode predicate = ReceiptStatement.of(sample).toJson().get("predicate");
    // A signed trigger, a recorded origin, an egress run and a lock file add the optional members.
    JsonNode triggered =
        ReceiptStatement.of(
                sample
                    .withOrigin(new ReceiptPredicate.Origin("mcp", "agent", "1.2.3"))
                    .withTrigger(
                        new ReceiptPredicate.Trigger(
                            "sha256:" + "ab".repeat(32),
                            "link-1",
                            "caller+01234567",
                            new ObjectMapper().createObjectNode().put("payloadType", "t"),
                            new ReceiptPredicate.Checkpoint("log.example", 3, "AAAA")))
                    .withNetwork(
                        new io.quackrunner.egress.EgressSummary(
                            "egress",
                            List.of("api.example.com:443"),
                            64,
                            1024,
                            List.of(
                                new io.quackrunner.egress.EgressReport.Destination(
                                    "api.example.com", 443, "203.0.113.9", 1, 10, 20)),
                            List.of(
                                new io.quackrunner.egress.EgressSummary.Refusal(
                                    "x.example.com", 443, "not in the allow-list")),
                            1))
                    .withLockFile(
                        new io.quackrunner.runtime.LockFile("poetry.lock", "cd".repeat(32))))
            .toJson()
            .get("predicate");
    assertThat(predicate.has("trigger")).isFalse();
    assertThat(predicate.has("origin")).isFalse();
    assertThat(schema.get("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(predicate.has("network")).isFalse();
    assertThat(predicate.has("lock_file")).isFalse();
    assertSameFields(schema, triggered, List.of("trigger", "origin", "network", "lock_file"));
    assertSameFields(schema.at("/properties/lock_file"), triggered.get("lock_file"), List.of());
    assertSameFields(schema.at("/properties/origin"), triggered.get("origin"), List.of());
    assertThat(triggered.at("/origin/front_end").asText()).isEqualTo("mcp");
    assertSameFields(schema.at("/properties/network"), triggered.get("network"), List.of());
    assertSameFields(
        schema.at("/properties/network/properties/destinations/items"),
        triggered.at("/network/destinations/0"),
        List.of());
    assertSameFields(
        schema.at("/properties/network/properties/refused/items"),
        triggered.at("/network/refused/0"),
        List.of());
    assertSameFields(schema.at("/properties/trigger"), triggered.get("trigger"), List.of());
    assertSameFields(
        schema.at("/properties/trigger/properties/checkpoint"),
        triggered.at("/trigger/checkpoint"),
        List.of());
    assertSameFields(schema.at("/$defs/artifact"), predicate.at("/artifacts/0"), List.of());
    assertSameFields(schema.at("/$defs/streamDigest"), predicate.get("stdout"), List.of());
    assertSameFields(
        schema.at("/properties/resource_usage"), predicate.get("resource_usage"), List.of());
    assertSameFields(schema.at("/properties/tool/oneOf/1"), predicate.get("tool"), List.of());
    assertSameFields(
        schema.at("/properties/environment_fingerprint"),
        predicate.get("environment_fingerprint"),
        List.of());
    assertSameFields(schema.at("/properties/sandbox"), predicate.get("sandbox"), List.of());
  }

  private static void assertSameFields(JsonNode schema, JsonNode instance, List<String> optional) {
    List<String> required = new ArrayList<>();
    schema.get("required").forEach(n -> required.add(n.asText()));
    List<String> properties = new ArrayList<>();
    schema.get("properties").fieldNames().forEachRemaining(properties::add);
    List<String> fields = new ArrayList<>();
    instance.fieldNames().forEachRemaining(fields::add);
    assertThat(properties).containsExactlyInAnyOrderElementsOf(fields);
    fields.removeAll(optional);
    assertThat(required).containsExactlyInAnyOrderElementsOf(fields);
    assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
  }
}
