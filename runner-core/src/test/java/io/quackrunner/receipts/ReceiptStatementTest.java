package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.RunnerException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceiptStatementTest {
  private static final ReceiptStatement STATEMENT =
      ReceiptStatement.of(
          SampleReceipts.succeeded(
              "run-1", Map.of("report.pdf", new byte[] {1, 2, 3}, "data/x.csv", new byte[] {4})));

  @Test
  void hasTheInTotoStatementV1Shape() {
    JsonNode json = STATEMENT.toJson();
    assertThat(json.get("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(json.get("predicateType").asText()).isEqualTo("https://quackrunner.io/receipt/v1");
    assertThat(json.get("subject")).hasSize(2);
    assertThat(json.get("subject").get(0).get("name").asText()).isEqualTo("data/x.csv");
    assertThat(json.get("subject").get(0).get("digest").get("sha256").asText())
        .isEqualTo(SampleReceipts.sha256(new byte[] {4}));
    JsonNode p = json.get("predicate");
    assertThat(p.get("status").asText()).isEqualTo("Success");
    assertThat(p.get("run_status").asText()).isEqualTo("SUCCEEDED");
    assertThat(p.has("signal") && p.get("signal").isNull()).isTrue();
    assertThat(p.has("failure_reason") && p.get("failure_reason").isNull()).isTrue();
    assertThat(p.get("artifacts").get(1).get("content_hash").asText()).startsWith("sha256:");
    assertThat(p.get("resource_usage").get("peak_memory_bytes").asLong()).isEqualTo(48_234_496);
    assertThat(p.get("sandbox").get("isolated").asBoolean()).isTrue();
  }

  @Test
  void roundTripsThroughCanonicalJson() {
    byte[] json = STATEMENT.canonicalJson();
    assertThat(Jcs.canonicalize(json)).isEqualTo(json);
    assertThat(ReceiptStatement.parse(json)).isEqualTo(STATEMENT);
  }

  @Test
  void aRunWithoutArtifactsHasItsStdoutAsSubject() {
    ReceiptStatement s = ReceiptStatement.of(SampleReceipts.succeeded("run-2", Map.of()));
    assertThat(s.subject())
        .containsExactly(new ReceiptSubject("stdout", s.predicate().stdout().sha256()));
  }

  @Test
  void refusesUnknownMissingAndInconsistentFields() {
    ObjectNode json = (ObjectNode) STATEMENT.toJson();
    ((ObjectNode) json.get("predicate")).put("surprise", 1);
    assertRejected(json);

    json = (ObjectNode) STATEMENT.toJson();
    ((ObjectNode) json.get("predicate")).remove("exit_code");
    assertRejected(json);

    json = (ObjectNode) STATEMENT.toJson();
    ((ObjectNode) json.get("predicate")).put("status", "Failure");
    assertRejected(json);

    json = (ObjectNode) STATEMENT.toJson();
    ((ObjectNode) json.get("predicate")).put("started_at", "2025-12-25 10:00:00");
    assertRejected(json);

    json = (ObjectNode) STATEMENT.toJson();
    ((ObjectNode) json.get("subject").get(0).get("digest"))
        .put("sha256", SampleReceipts.sha256(new byte[0]));
    assertRejected(json);

    json = (ObjectNode) STATEMENT.toJson();
    json.put("predicateType", "https://example.com/other");
    assertRejected(json);
  }

  @Test
  void refusesIntegersBeyondIJsonPrecision() {
    ReceiptPredicate p = STATEMENT.predicate();
    assertThatThrownBy(
            () ->
                new ReceiptPredicate.ResourceUsage(
                    1L << 53, p.resourceUsage().peakMemoryBytes(), 1))
        .isInstanceOf(RunnerException.class);
    assertThatThrownBy(
            () ->
                new ReceiptPredicate.Artifact(
                    "../etc/passwd", "text/plain", 1, "sha256:" + "0".repeat(64), Map.of()))
        .isInstanceOf(RunnerException.class);
  }

  private static void assertRejected(JsonNode json) {
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ReceiptStatement.parse(bytes))
        .as(json.toString())
        .isInstanceOf(RunnerException.class);
  }
}
