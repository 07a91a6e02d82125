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
    JsonNode predicate =
        ReceiptStatement.of(SampleReceipts.succeeded("r", Map.of("a.txt", new byte[] {1})))
            .toJson()
            .get("predicate");
    assertThat(schema.get("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertSameFields(schema, predicate);
    assertSameFields(schema.at("/$defs/artifact"), predicate.at("/artifacts/0"));
    assertSameFields(schema.at("/$defs/streamDigest"), predicate.get("stdout"));
    assertSameFields(schema.at("/properties/resource_usage"), predicate.get("resource_usage"));
    assertSameFields(schema.at("/properties/tool/oneOf/1"), predicate.get("tool"));
    assertSameFields(
        schema.at("/properties/environment_fingerprint"), predicate.get("environment_fingerprint"));
    assertSameFields(schema.at("/properties/sandbox"), predicate.get("sandbox"));
  }

  private static void assertSameFields(JsonNode schema, JsonNode instance) {
    List<String> required = new ArrayList<>();
    schema.get("required").forEach(n -> required.add(n.asText()));
    List<String> properties = new ArrayList<>();
    schema.get("properties").fieldNames().forEachRemaining(properties::add);
    List<String> fields = new ArrayList<>();
    instance.fieldNames().forEachRemaining(fields::add);
    assertThat(properties).containsExactlyInAnyOrderElementsOf(fields);
    assertThat(required).containsExactlyInAnyOrderElementsOf(fields);
    assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
  }
}
