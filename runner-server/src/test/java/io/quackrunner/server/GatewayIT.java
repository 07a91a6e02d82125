package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API end to end: a real Jetty server on loopback, the real sandbox, a real SQLite. */
class GatewayIT {
  static Path state;
  static GatewayServer server;
  static TestApi api;
  static OpenApiCheck openapi;

  @BeforeAll
  static void start() throws Exception {
    state = TestApi.newStateDir();
    Path tokens = state.resolve("tokens/tokens");
    String alice = TokenStore.issue(tokens, "alice");
    String bob = TokenStore.issue(tokens, "bob");
    server = TestApi.start(TestApi.options(state, 2, 8));
    api = new TestApi(server.uri(), alice, bob);
    openapi = new OpenApiCheck(api.get("/openapi.json", null).body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private void conforms(String schema, HttpResponse<String> r) throws Exception {
    assertThat(openapi.violations(schema, r.body())).as(schema + ": " + r.body()).isEmpty();
  }

  @Test
  void servesHealthReadinessToolsAndOpenApi() throws Exception {
    HttpResponse<String> h = api.get("/healthz", null);
    assertThat(h.statusCode()).isEqualTo(200);
    conforms("Health", h);
    HttpResponse<String> ready = api.get("/readyz", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    conforms("Ready", ready);
    HttpResponse<String> tools = api.get("/tools", api.alice);
    assertThat(tools.statusCode()).isEqualTo(200);
    conforms("ToolList", tools);
    assertThat(TestApi.json(tools).at("/tools/0/name").asText()).isEqualTo("sh");
    JsonNode doc = TestApi.json(api.get("/openapi.json", null));
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(server.adminTokenFile()).isNull();
  }

  @Test
  void runsWithWaitAndReportsEverything() throws Exception {
    HttpResponse<String> r =
        api.post("/runs?wait=60", api.alice, TestApi.sh("echo hello; echo oops >&2; exit 3", null));
    assertThat(r.statusCode()).isEqualTo(200);
    conforms("RunResult", r);
    JsonNode run = TestApi.json(r);
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("exit_code").asInt()).isEqualTo(3);
    assertThat(run.at("/error/type").asText())
        .isEqualTo("https://quackrunner.io/problems/execution-failed");
    assertThat(run.at("/timings/started_at").asText()).isNotEmpty();
    assertThat(run.at("/usage/wall_time_ms").asLong()).isGreaterThanOrEqualTo(0);
    String id = run.get("id").asText();
    assertThat(r.headers().firstValue("Location")).hasValue("/runs/" + id);
    HttpResponse<String> out = api.get("/runs/" + id + "/logs?stream=stdout", api.alice);
    assertThat(out.body()).isEqualTo("hello\n");
    assertThat(api.get("/runs/" + id + "/logs?stream=stderr", api.alice).body())
        .isEqualTo("oops\n");
    HttpResponse<String> refs = api.get("/runs/" + id + "/logs", api.alice);
    conforms("LogRefs", refs);
    assertThat(TestApi.json(refs).at("/stdout/sha256").asText())
        .isEqualTo(sha256("hello\n".getBytes()));
    HttpResponse<String> list = api.get("/runs", api.alice);
    assertThat(list.body()).contains(id);
  }

  @Test
  void asyncRunAnswers202ThenCompletes() throws Exception {
    HttpResponse<String> r = api.post("/runs", api.alice, TestApi.sh("sleep 1; echo late", null));
    assertThat(r.statusCode()).isEqualTo(202);
    conforms("RunResult", r);
    String id = TestApi.json(r).get("id").asText();
    JsonNode done = api.awaitStatus(id, api.alice, "SUCCEEDED");
    assertThat(done.get("exit_code").asInt()).isZero();
  }

  @Test
  void artifactsManifestEtagAndRange() throws Exception {
    var n =
        TestApi.JSON.createObjectNode().put("tool", "emit").put("version", "1").put("verb", "run");
    n.putObject("params")
        .put(
            "script",
            "printf 0123456789 > out/result.txt; echo '{\"ok\":true}' > out/manifest.json");
    HttpResponse<String> r = api.post("/runs?wait=60", api.alice, n.toString());
    conforms("RunResult", r);
    JsonNode run = TestApi.json(r);
    assertThat(run.get("status").asText()).as(r.body()).isEqualTo("SUCCEEDED");
    assertThat(run.at("/manifest/path").asText()).isEqualTo("manifest.json");
    String id = run.get("id").asText();
    HttpResponse<String> list = api.get("/runs/" + id + "/artifacts", api.alice);
    conforms("ArtifactList", list);
    String sha = sha256("0123456789".getBytes());
    assertThat(list.body()).contains(sha);
    String href = "/runs/" + id + "/artifacts/result.txt";
    HttpResponse<String> whole = api.get(href, api.alice);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo("0123456789");
    assertThat(whole.headers().firstValue("ETag")).hasValue("\"" + sha + "\"");
    HttpResponse<String> same =
        api.send(api.req(href, api.alice).header("If-None-Match", "\"" + sha + "\"").GET().build());
    assertThat(same.statusCode()).isEqualTo(304);
    HttpResponse<String> part =
        api.send(api.req(href, api.alice).header("Range", "bytes=2-5").GET().build());
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo("2345");
    assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 2-5/10");
    HttpResponse<String> tail =
        api.send(api.req(href, api.alice).header("Range", "bytes=-3").GET().build());
    assertThat(tail.body()).isEqualTo("789");
    HttpResponse<String> bad =
        api.send(api.req(href, api.alice).header("Range", "bytes=50-").GET().build());
    assertThat(bad.statusCode()).isEqualTo(416);
    conforms("Problem", bad);
    assertThat(api.get("/runs/" + id + "/artifacts/..%2Fetc%2Fpasswd", api.alice).statusCode())
        .isBetween(400, 499);
    assertThat(api.get("/runs/" + id + "/artifacts/nope.txt", api.alice).statusCode())
        .isEqualTo(404);
  }

  @Test
  void missingOutputsAndBadManifestsAreArtifactViolations() throws Exception {
    for (String script :
        List.of(
            "echo '{\"ok\":true}' > out/manifest.json",
            "echo x > out/result.txt; echo '{\"ok\":false}' > out/manifest.json",
            "echo x > out/result.txt; echo 'not json' > out/manifest.json",
            "echo x > out/result.txt")) {
      var n =
          TestApi.JSON
              .createObjectNode()
              .put("tool", "emit")
              .put("version", "1")
              .put("verb", "run");
      n.putObject("params").put("script", script);
      HttpResponse<String> r = api.post("/runs?wait=60", api.alice, n.toString());
      conforms("RunResult", r);
      JsonNode run = TestApi.json(r);
      assertThat(run.get("status").asText()).as(script).isEqualTo("FAILED");
      assertThat(run.at("/error/kind").asText()).as(script).isEqualTo("artifact-violation");
      assertThat(run.get("exit_code").asInt()).isZero();
    }
  }

  @Test
  void uploadedInputsAreUsedByDigest() throws Exception {
    byte[] data = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> up = api.postBytes("/inputs", api.alice, data);
    assertThat(up.statusCode()).isEqualTo(201);
    conforms("StoredInput", up);
    String sha = TestApi.json(up).get("sha256").asText();
    assertThat(sha).isEqualTo(sha256(data));
    assertThat(api.get("/inputs/" + sha, api.alice).statusCode()).isEqualTo(200);
    var n =
        TestApi.JSON.createObjectNode().put("tool", "sh").put("version", "1").put("verb", "run");
    n.putObject("params").put("script", "wc -l < in/d/data.txt; cat in/inline.txt");
    n.putArray("inputs")
        .add(TestApi.JSON.createObjectNode().put("name", "d/data.txt").put("sha256", sha))
        .add(
            TestApi.JSON
                .createObjectNode()
                .put("name", "inline.txt")
                .put("content_base64", Base64.getEncoder().encodeToString("inline!".getBytes())));
    JsonNode run = TestApi.json(api.post("/runs?wait=60", api.alice, n.toString()));
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/runs/" + run.get("id").asText() + "/logs?stream=stdout", api.alice).body())
        .isEqualTo("2\ninline!");
  }

  @Test
  void theSameRequestWithoutAKeyRunsEveryTime() throws Exception {
    String body = TestApi.sh("echo again", null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = api.post("/runs?wait=30", api.alice, body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Idempotent-Replayed")).isEmpty();
      ids.add(TestApi.json(r).get("id").asText());
    }
    assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
    Set<String> triggers = new java.util.HashSet<>();
    for (String id : ids) {
      assertThat(api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body())
          .isEqualTo("again\n");
      JsonNode p = statement(api.get("/runs/" + id + "/receipt", api.alice)).get("predicate");
      assertThat(p.get("trigger_hash").asText()).startsWith("fresh:sha256:");
      triggers.add(p.get("trigger_hash").asText());
    }
    assertThat(triggers).hasSize(2);
  }

  @Test
  void theQuotedAndTheBareHeaderAndTheBodyKeyAreOneKey() throws Exception {
    String body = TestApi.sh("echo keyed", null);
    HttpResponse<String> quoted = postKeyed(body, "\"8e03978e-40d5\"");
    assertThat(quoted.statusCode()).as(quoted.body()).isEqualTo(200);
    String id = TestApi.json(quoted).get("id").asText();
    HttpResponse<String> bare = postKeyed(body, "8e03978e-40d5");
    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(bare.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(TestApi.json(bare).get("id").asText()).isEqualTo(id);
    HttpResponse<String> both =
        postKeyed(TestApi.sh("echo keyed", "8e03978e-40d5"), "\"8e03978e-40d5\"");
    assertThat(TestApi.json(both).get("id").asText()).isEqualTo(id);
    HttpResponse<String> body1 =
        api.post("/runs?wait=30", api.alice, TestApi.sh("echo keyed", "8e03978e-40d5"));
    assertThat(TestApi.json(body1).get("id").asText()).isEqualTo(id);
    assertThat(
            statement(api.get("/runs/" + id + "/receipt", api.alice))
                .at("/predicate/trigger_hash")
                .asText())
        .startsWith("key:sha256:");
    long count = server.service().store().count();
    HttpResponse<String> differ =
        postKeyed(TestApi.sh("echo keyed", "other-key"), "\"8e03978e-40d5\"");
    assertThat(differ.statusCode()).isEqualTo(400);
    assertThat(differ.body()).contains("differ");
    for (String badHeader : List.of("\"k\";a=1", "\"a\\qb\"", "\"open", "\"a\", \"b\"", "a,b")) {
      HttpResponse<String> r = postKeyed(body, badHeader);
      assertThat(r.statusCode()).as(badHeader).isEqualTo(400);
      conforms("Problem", r);
    }
    assertThat(server.service().store().count()).as("nothing executed").isEqualTo(count);
    // Keys are scoped per tenant: bob's run with alice's key is a run of its own.
    HttpResponse<String> bobs =
        api.send(
            api.req("/runs?wait=30", api.bob)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "\"8e03978e-40d5\"")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(TestApi.json(bobs).get("id").asText()).isNotEqualTo(id);
  }

  private HttpResponse<String> postKeyed(String body, String header) throws Exception {
    return api.send(
        api.req("/runs?wait=30", api.alice)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", header)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  @Test
  void fiftyConcurrentPostsWithOneKeyExecuteOnce() throws Exception {
    String body = TestApi.sh("echo executed; sleep 1", "key-50");
    long before = server.service().store().count();
    ExecutorService pool = Executors.newFixedThreadPool(50);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> fs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fs.add(
          pool.submit(
              (Callable<HttpResponse<String>>)
                  () -> {
                    go.await();
                    return api.post("/runs", api.alice, body);
                  }));
    }
    go.countDown();
    Set<String> ids = new java.util.HashSet<>();
    int replayed = 0;
    for (var f : fs) {
      HttpResponse<String> r = f.get();
      assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
      ids.add(TestApi.json(r).get("id").asText());
      replayed += r.headers().firstValue("Idempotent-Replayed").isPresent() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(ids).hasSize(1);
    assertThat(replayed).isEqualTo(49);
    assertThat(server.service().store().count()).isEqualTo(before + 1);
    String id = ids.iterator().next();
    api.awaitStatus(id, api.alice, "SUCCEEDED");
    assertThat(api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body())
        .isEqualTo("executed\n");
    HttpResponse<String> again = api.post("/runs?wait=10", api.alice, body);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(TestApi.json(again).get("id").asText()).isEqualTo(id);
    long afterOne = server.service().store().count();
    HttpResponse<String> other = api.post("/runs", api.alice, TestApi.sh("echo other", "key-50"));
    assertThat(other.statusCode()).isEqualTo(422);
    conforms("Problem", other);
    assertThat(TestApi.json(other).get("type").asText())
        .isEqualTo("https://quackrunner.io/problems/idempotency-key-reused");
    assertThat(TestApi.json(other).get("original_run").asText()).isEqualTo("/runs/" + id);
    assertThat(server.service().store().count()).as("nothing executed").isEqualTo(afterOne);
    conforms("Problem", other);
  }

  @Test
  void followersSeeLinesBeforeTheRunEnds() throws Exception {
    String id =
        TestApi.json(
                api.post(
                    "/runs",
                    api.alice,
                    TestApi.sh("echo first; sleep 3; echo second; echo err >&2", null)))
            .get("id")
            .asText();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    List<Future<List<String>>> followers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      followers.add(pool.submit(() -> follow(id, i2 -> {})));
    }
    List<String> statusWhenFirstSeen = new ArrayList<>();
    List<String> mine =
        follow(
            id,
            line -> {
              if (line.equals("data: first")) {
                try {
                  statusWhenFirstSeen.add(
                      TestApi.json(api.get("/runs/" + id, api.alice)).get("status").asText());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            });
    assertThat(statusWhenFirstSeen).containsExactly("RUNNING");
    assertThat(mine)
        .containsSubsequence("event: stdout", "data: first", "event: stdout", "data: second");
    assertThat(mine).contains("event: stderr", "data: err", "event: end");
    for (var f : followers) {
      assertThat(f.get()).contains("data: first", "data: second", "event: end");
    }
    pool.shutdown();
    // After the end, follow replays the stored log and ends at once.
    List<String> replay = follow(id, l -> {});
    assertThat(replay).contains("data: first", "data: second", "event: end");
    List<String> onlyErr = followStream(id, "stderr");
    assertThat(onlyErr).contains("data: err").doesNotContain("data: first");
  }

  private List<String> follow(String id, java.util.function.Consumer<String> onLine)
      throws Exception {
    return read(api.req("/runs/" + id + "/logs?follow=true", api.alice).GET().build(), onLine);
  }

  private List<String> followStream(String id, String stream) throws Exception {
    return read(
        api.req("/runs/" + id + "/logs?follow=true&stream=" + stream, api.alice).GET().build(),
        l -> {});
  }

  private List<String> read(
      java.net.http.HttpRequest req, java.util.function.Consumer<String> onLine) throws Exception {
    HttpResponse<java.io.InputStream> r =
        api.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<String> lines = new ArrayList<>();
    try (BufferedReader b =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = b.readLine()) != null) {
        if (!l.isEmpty()) {
          lines.add(l);
          onLine.accept(l);
        }
      }
    }
    return lines;
  }

  @Test
  void cancelStopsARunningRun() throws Exception {
    String id =
        TestApi.json(api.post("/runs", api.alice, TestApi.sh("echo go; sleep 30", null)))
            .get("id")
            .asText();
    api.awaitStatus(id, api.alice, "RUNNING");
    HttpResponse<String> c = api.delete("/runs/" + id, api.alice);
    assertThat(c.statusCode()).isEqualTo(200);
    conforms("RunResult", c);
    assertThat(TestApi.json(c).get("status").asText()).isEqualTo("CANCELLED");
    HttpResponse<String> again = api.delete("/runs/" + id, api.alice);
    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void tenantsSeeOnlyTheirOwnRuns() throws Exception {
    String id =
        TestApi.json(api.post("/runs?wait=30", api.alice, TestApi.sh("echo mine", null)))
            .get("id")
            .asText();
    for (String path :
        List.of(
            "/runs/" + id,
            "/runs/" + id + "/logs",
            "/runs/" + id + "/artifacts",
            "/runs/" + id + "/receipt")) {
      HttpResponse<String> r = api.get(path, api.bob);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      conforms("Problem", r);
    }
    assertThat(api.delete("/runs/" + id, api.bob).statusCode()).isEqualTo(404);
    assertThat(api.get("/runs", api.bob).body()).doesNotContain(id);
    // The same request from another tenant is another trigger: a run of its own.
    String bobs =
        TestApi.json(api.post("/runs?wait=30", api.bob, TestApi.sh("echo mine", null)))
            .get("id")
            .asText();
    assertThat(bobs).isNotEqualTo(id);
  }

  @Test
  void everyEndedRunHasOneSignedReceiptInTheLedger() throws Exception {
    String id =
        TestApi.json(api.post("/runs?wait=30", api.alice, TestApi.sh("echo receipted", null)))
            .get("id")
            .asText();
    JsonNode run = TestApi.json(api.get("/runs/" + id, api.alice));
    long index = run.at("/receipt/ledger_index").asLong();
    HttpResponse<String> r = api.get("/runs/" + id + "/receipt", api.alice);
    assertThat(r.statusCode()).isEqualTo(200);
    conforms("DsseEnvelope", r);
    JsonNode statement = statement(r);
    assertThat(statement.get("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(statement.at("/predicate/execution_id").asText()).isEqualTo(id);
    assertThat(statement.at("/predicate/run_status").asText()).isEqualTo("SUCCEEDED");
    HttpResponse<String> cp = api.get("/ledger/checkpoint", null);
    assertThat(cp.statusCode()).isEqualTo(200);
    long size = Long.parseLong(cp.body().lines().skip(1).findFirst().orElseThrow());
    assertThat(size).isGreaterThan(index);
    HttpResponse<String> inc =
        api.get("/ledger/proof/inclusion?index=" + index + "&size=" + size, null);
    assertThat(inc.statusCode()).as(inc.body()).isEqualTo(200);
    assertThat(io.quackrunner.ledger.InclusionProof.parseJson(inc.body()).leafIndex())
        .isEqualTo(index);
    assertThat(api.get("/ledger/proof/consistency?from=1&to=" + size, null).statusCode())
        .isEqualTo(200);
    assertThat(
            api.get("/ledger/proof/inclusion?index=" + size + "&size=" + size, null).statusCode())
        .isEqualTo(400);
    // A run that broke its declared outputs is receipted as FAILED with its error kind.
    var n =
        TestApi.JSON.createObjectNode().put("tool", "emit").put("version", "1").put("verb", "run");
    n.putObject("params").put("script", "true");
    String bad =
        TestApi.json(api.post("/runs?wait=30", api.alice, n.toString())).get("id").asText();
    JsonNode st = statement(api.get("/runs/" + bad + "/receipt", api.alice));
    assertThat(st.at("/predicate/run_status").asText()).isEqualTo("FAILED");
    assertThat(st.at("/predicate/error_kind").asText()).isEqualTo("artifact-violation");
    // A cancelled run's receipt says CANCELLED.
    String c =
        TestApi.json(api.post("/runs", api.alice, TestApi.sh("sleep 30", null))).get("id").asText();
    api.awaitStatus(c, api.alice, "RUNNING");
    api.delete("/runs/" + c, api.alice);
    assertThat(
            statement(api.get("/runs/" + c + "/receipt", api.alice))
                .at("/predicate/run_status")
                .asText())
        .isEqualTo("CANCELLED");
  }

  static JsonNode statement(HttpResponse<String> envelope) throws Exception {
    String payload = TestApi.json(envelope).get("payload").asText();
    return TestApi.JSON.readTree(Base64.getDecoder().decode(payload));
  }

  @Test
  void metricsExposeRunsQueueAndDurations() throws Exception {
    api.post("/runs?wait=30", api.alice, TestApi.sh("echo metrics", null));
    String m = api.get("/metrics", null).body();
    assertThat(m)
        .contains("quackrunner_runs_total{status=\"SUCCEEDED\"}")
        .contains("quackrunner_queue_depth")
        .contains("quackrunner_run_duration_seconds_count")
        .contains("quackrunner_sandbox_overhead_seconds_count");
  }

  @Test
  void badInputIsAlwaysA4xxProblemNeverA5xx() throws Exception {
    String big =
        "{\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"script\":\""
            + "x".repeat(2 << 20)
            + "\"}}";
    String hugeInline =
        "{\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"script\":\"true\"},\"inputs\":[{\"name\":\"a\",\"content_base64\":\""
            + Base64.getEncoder().encodeToString(new byte[300 << 10])
            + "\"}]}";
    String base = "\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\"";
    List<String[]> cases =
        List.of(
            new String[] {"malformed", "{\"tool\":"},
            new String[] {"not an object", "[1,2]"},
            new String[] {"empty", ""},
            new String[] {"wrong type", "{\"tool\":5,\"version\":\"1\",\"verb\":\"run\"}"},
            new String[] {
              "params wrong type", "{" + base + ",\"params\":{\"script\":\"x\",\"n\":\"five\"}}"
            },
            new String[] {"params not object", "{" + base + ",\"params\":[1]}"},
            new String[] {
              "unknown field", "{" + base + ",\"params\":{\"script\":\"x\"},\"colour\":1}"
            },
            new String[] {"unknown param", "{" + base + ",\"params\":{\"script\":\"x\",\"y\":1}}"},
            new String[] {
              "duplicate key", "{" + base + ",\"verb\":\"run\",\"params\":{\"script\":\"x\"}}"
            },
            new String[] {"huge body", big},
            new String[] {"huge inline input", hugeInline},
            new String[] {"unknown tool", "{\"tool\":\"nope\",\"version\":\"1\",\"verb\":\"run\"}"},
            new String[] {
              "unknown version", "{\"tool\":\"sh\",\"version\":\"2\",\"verb\":\"run\"}"
            },
            new String[] {"unknown verb", "{\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"walk\"}"},
            new String[] {
              "limit over max",
              "{"
                  + base
                  + ",\"params\":{\"script\":\"x\"},\"limits\":{\"wall_time_ms\":999999999999}}"
            },
            new String[] {
              "limit negative",
              "{" + base + ",\"params\":{\"script\":\"x\"},\"limits\":{\"memory_bytes\":-1}}"
            },
            new String[] {
              "limit unknown",
              "{" + base + ",\"params\":{\"script\":\"x\"},\"limits\":{\"disk\":1}}"
            },
            new String[] {
              "limit float",
              "{" + base + ",\"params\":{\"script\":\"x\"},\"limits\":{\"pids\":1.5}}"
            },
            new String[] {
              "network host",
              "{" + base + ",\"params\":{\"script\":\"x\"},\"limits\":{\"network\":\"host\"}}"
            },
            new String[] {"traversal", input("../escape")},
            new String[] {"absolute", input("/etc/passwd")},
            new String[] {"inner traversal", input("a/../../b")},
            new String[] {"dot segment", input("a/./b")},
            new String[] {"reserved", input("_tool/t.sh")},
            new String[] {"nul in name", input("a\u0000b")},
            new String[] {
              "newline in param", "{" + base + ",\"params\":{\"script\":\"echo a\\necho b\"}}"
            },
            new String[] {
              "nul in param", "{" + base + ",\"params\":{\"script\":\"echo a\\u0000b\"}}"
            },
            new String[] {
              "unknown digest",
              "{"
                  + base
                  + ",\"params\":{\"script\":\"x\"},\"inputs\":[{\"name\":\"a\",\"sha256\":\""
                  + "0".repeat(64)
                  + "\"}]}"
            },
            new String[] {
              "bad digest",
              "{"
                  + base
                  + ",\"params\":{\"script\":\"x\"},\"inputs\":[{\"name\":\"a\",\"sha256\":\"xyz\"}]}"
            },
            new String[] {
              "bad base64",
              "{"
                  + base
                  + ",\"params\":{\"script\":\"x\"},\"inputs\":[{\"name\":\"a\",\"content_base64\":\"!!!\"}]}"
            },
            new String[] {
              "env not allowed",
              "{" + base + ",\"params\":{\"script\":\"x\"},\"env\":{\"PATH\":\"/x\"}}"
            },
            new String[] {
              "bad key", "{" + base + ",\"params\":{\"script\":\"x\"},\"idempotency_key\":\"a b\"}"
            });
    for (String[] c : cases) {
      HttpResponse<String> r = api.post("/runs", api.alice, c[1]);
      assertProblem(c[0], r);
    }
    assertProblem("no token", api.post("/runs", null, TestApi.sh("true", null)));
    assertProblem("bad token", api.post("/runs", "qr_wrong", TestApi.sh("true", null)));
    assertProblem("unknown run", api.get("/runs/0000", api.alice));
    assertProblem("unknown endpoint", api.get("/nope", api.alice));
    assertProblem(
        "bad method",
        api.send(
            api.req("/runs", api.alice)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .build()));
    assertProblem("bad wait", api.post("/runs?wait=abc", api.alice, TestApi.sh("true", null)));
    assertProblem("bad stream", api.get("/runs/x/logs?stream=both", api.alice));
    assertProblem("huge upload", api.postBytes("/inputs", api.alice, new byte[300 << 10]));
    assertProblem(
        "content type",
        api.send(
            api.req("/runs", api.alice)
                .header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(TestApi.sh("true", null)))
                .build()));
  }

  private static String input(String name) throws Exception {
    var n =
        TestApi.JSON.createObjectNode().put("tool", "sh").put("version", "1").put("verb", "run");
    n.putObject("params").put("script", "true");
    n.putArray("inputs").addObject().put("name", name).put("content_base64", "eA==");
    return n.toString();
  }

  private void assertProblem(String what, HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(what + ": " + r.body()).isBetween(400, 499);
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .as(what)
        .startsWith("application/problem+json");
    conforms("Problem", r);
    assertThat(r.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static Set<String> names(List<String> l) {
    return l.stream().collect(Collectors.toSet());
  }

  @Test
  void firstStartWritesAnAdminToken() throws Exception {
    Path s = TestApi.newStateDir();
    try (GatewayServer g = TestApi.start(TestApi.options(s, 1, 1))) {
      Path f = g.adminTokenFile();
      assertThat(f).isEqualTo(s.resolve("tokens/admin.token"));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-------");
      String token = Files.readString(f).strip();
      TestApi other = new TestApi(g.uri(), token, null);
      assertThat(other.get("/tools", token).statusCode()).isEqualTo(200);
      assertThat(Files.readString(s.resolve("tokens/tokens")))
          .doesNotContain(token)
          .contains(" admin");
    }
  }
}
