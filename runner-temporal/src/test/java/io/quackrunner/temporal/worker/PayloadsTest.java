package io.quackrunner.temporal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.server.RunDocuments;
import io.quackrunner.temporal.api.Progress;
import io.quackrunner.temporal.api.RunRequest;
import io.quackrunner.temporal.api.RunResult;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The activity payloads against the HTTP API's documents: the same members as {@code /openapi.json}
 * at every level, strict reading of requests, tolerant reading of results, through the SDK's own
 * default data converter.
 */
class PayloadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DataConverter SDK = DefaultDataConverter.STANDARD_INSTANCE;

  private static JsonNode schemas() throws Exception {
    try (InputStream in =
        RunDocuments.class.getResourceAsStream("/io/quackrunner/server/openapi.json")) {
      return JSON.readTree(in).path("components").path("schemas");
    }
  }

  private static Payload json(String text) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text))
        .build();
  }

  @Test
  void runResultHasEveryMemberOfTheApisRunResultAtEveryLevel() throws Exception {
    JsonNode s = schemas();
    compare(RunResult.class, s.get("RunResult"), s, "RunResult");
  }

  @Test
  void runRequestHasEveryMemberOfTheApisRunRequest() throws Exception {
    JsonNode s = schemas();
    compare(RunRequest.class, s.get("RunRequest"), s, "RunRequest");
  }

  /**
   * Checks that a record's JSON members are exactly the schema's properties, and recurses into
   * members that are records or lists of records.
   */
  private static void compare(Class<?> type, JsonNode schema, JsonNode all, String where) {
    JsonNode obj = object(schema, all);
    TreeSet<String> api = new TreeSet<>();
    obj.path("properties").fieldNames().forEachRemaining(api::add);
    TreeSet<String> ours = new TreeSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
      if (p == null) {
        continue; // unknownFields: the any-setter, not a member
      }
      ours.add(p.value());
      Class<?> inner = recordOf(c.getGenericType());
      if (inner != null) {
        JsonNode sub = obj.path("properties").path(p.value());
        if (sub.has("items")) {
          sub = sub.get("items");
        }
        compare(inner, sub, all, where + "." + p.value());
      }
    }
    assertThat(ours).as(where).isEqualTo(api);
  }

  private static JsonNode object(JsonNode schema, JsonNode all) {
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      return object(all.get(ref.substring(ref.lastIndexOf('/') + 1)), all);
    }
    if (schema.has("oneOf") && !schema.has("properties")) {
      for (JsonNode alt : schema.get("oneOf")) {
        if (!"null".equals(alt.path("type").asText())) {
          return object(alt, all);
        }
      }
    }
    return schema;
  }

  private static Class<?> recordOf(Type t) {
    if (t instanceof Class<?> c && c.isRecord()) {
      return c;
    }
    if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
      return recordOf(p.getActualTypeArguments()[0]);
    }
    return null;
  }

  @Test
  void resultsAreReadTolerantlyEvenByAStrictMapper() throws Exception {
    String doc =
        """
        {"id":"r1","status":"SUCCEEDED","tool":"sh","version":"1","verb":"run","exit_code":0,
         "signal":null,"origin":{"front_end":"temporal"},
         "timings":{"queued_at":"2026-01-01T00:00:00Z","started_at":null,"finished_at":null,
                    "duration_ms":null,"queue_ms":3},
         "usage":null,"limit_exceeded":null,
         "artifacts":[{"path":"a","size":1,"sha256":"00","media_type":"text/plain","href":"/x",
                       "etag":"e"}],
         "manifest":null,"violations":[],"tool_digest":null,"secrets":["API_KEY"],
         "logs":{"stdout":{"href":"/o","size":2,"sha256":"ab","truncated":false,"redactions":1,
                           "encoding":"utf-8"},
                 "stderr":{"href":"/e","size":0,"sha256":"cd","truncated":false,"redactions":0},
                 "follow":"/f"},
         "error":null,"receipt":{"href":"/r","ledger_index":4,"checkpoint":"c"}}
        """;
    RunResult viaSdk = SDK.fromPayload(json(doc), RunResult.class, RunResult.class);
    ObjectMapper strict =
        new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    RunResult viaStrict = strict.readValue(doc, RunResult.class);
    for (RunResult r : List.of(viaSdk, viaStrict)) {
      assertThat(r.secrets()).containsExactly("API_KEY");
      assertThat(r.logs().stdout().redactions()).isEqualTo(1);
      assertThat(r.artifacts().get(0).sha256()).isEqualTo("00");
      assertThat(r.receipt().ledgerIndex()).isEqualTo(4);
    }
    Progress p =
        strict.readValue(
            "{\"run_id\":\"r\",\"phase\":\"RUNNING\",\"output_bytes\":5,\"elapsed_ms\":9,\"x\":1}",
            Progress.class);
    assertThat(p.outputBytes()).isEqualTo(5);
  }

  @Test
  void problemsCarryTheirExtensionMembers() {
    Map<String, Object> p =
        RunDocuments.problem(new RunnerException(ErrorKind.UNKNOWN_TOOL, "no tool 'x@1'"));
    RunResult.Problem q = JSON.convertValue(p, RunResult.Problem.class);
    assertThat(q.type()).isEqualTo("https://quackrunner.io/problems/unknown-tool");
    assertThat(q.kind()).isEqualTo("unknown-tool");
    assertThat(q.status()).isEqualTo(400);
  }

  @Test
  void requestMembersTheTypeDoesNotKnowAreKeptAndRefusedByName() throws Exception {
    String doc =
        """
        {"tool":"sh","version":"1","verb":"run","params":{"script":"true"},
         "origin":{"front_end":"x"},
         "inputs":[{"name":"a.txt","content_base64":"eA==","mode":"0755"}]}
        """;
    RunRequest r = SDK.fromPayload(json(doc), RunRequest.class, RunRequest.class);
    assertThat(r.unknownFields()).containsOnlyKeys("origin");
    assertThat(r.inputs().get(0).unknownFields()).containsOnlyKeys("mode");
    JsonNode back = JSON.readTree(SDK.toPayload(r).orElseThrow().getData().toStringUtf8());
    assertThat(back.has("origin")).isTrue();
    assertThat(back.path("inputs").get(0).has("mode")).isTrue();
    assertThatThrownBy(() -> RunDocuments.request(JSON.valueToTree(r), null, 1 << 20))
        .isInstanceOfSatisfying(
            RunnerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_FIELD))
        .hasMessageContaining("'origin'");
    RunRequest withoutOrigin =
        SDK.fromPayload(
            json(doc.replace("\"origin\":{\"front_end\":\"x\"},", "")),
            RunRequest.class,
            RunRequest.class);
    assertThatThrownBy(() -> RunDocuments.request(JSON.valueToTree(withoutOrigin), null, 1 << 20))
        .isInstanceOfSatisfying(
            RunnerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_FIELD))
        .hasMessageContaining("'inputs[0].mode'");
  }

  @Test
  void aBuiltRequestIsExactlyTheApisDocument() throws Exception {
    RunRequest r =
        RunRequest.of("sh", "1", "run")
            .withInput("a.txt", "x".getBytes(StandardCharsets.UTF_8))
            .withParam("script", "true")
            .withLimit("wall_time", "30s")
            .withEnv("LANG", "C")
            .withSecrets(List.of("API_KEY"));
    JsonNode doc = JSON.readTree(SDK.toPayload(r).orElseThrow().getData().toStringUtf8());
    assertThat(doc)
        .isEqualTo(
            JSON.readTree(
                """
                {"tool":"sh","version":"1","verb":"run",
                 "inputs":[{"name":"a.txt","content_base64":"eA=="}],
                 "params":{"script":"true"},"limits":{"wall_time":"30s"},"env":{"LANG":"C"},
                 "secrets":["API_KEY"]}
                """));
    io.quackrunner.service.RunRequest parsed = RunDocuments.request(doc, null, 1 << 20);
    assertThat(parsed.secrets()).containsExactly("API_KEY");
    assertThat(parsed.limits().wallTimeMs()).isEqualTo(30_000L);
  }
}
