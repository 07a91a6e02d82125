package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP semantics a new user meets (issue 10): artifact names that need percent-encoding, one
 * problem type per error kind, 405/415 with their header fields, HEAD, conditional and range
 * requests, limits and units, readiness, cancellation; every response's header fields checked
 * against the served document. A real Jetty server on loopback and the real sandbox.
 */
class ApiContractIT {
  static GatewayServer server;
  static TestApi api;
  static OpenApiCheck openapi;

  /** Names that each need percent-encoding in a link, and a nested one. */
  static final List<String> NAMES =
      List.of("a b.txt", "%41.txt", "h#x.txt", "q?y.txt", "p+z.txt", "é€ ü.txt", "dir/sub/n b.txt");

  @BeforeAll
  static void start() throws Exception {
    var state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    server = TestApi.start(TestApi.options(state, 2, 8));
    api = new TestApi(server.uri(), alice, null);
    openapi = new OpenApiCheck(api.get("/openapi.json", null).body());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void headersConform(String method, String template, HttpResponse<?> r) {
    assertThat(openapi.headerViolations(method, template, r)).as(template).isEmpty();
  }

  static String namesScript() {
    StringBuilder b = new StringBuilder("mkdir -p \"$OUT_DIR/dir/sub\"");
    for (String n : NAMES) {
      b.append("; printf '%s' '").append(n).append("' > \"$OUT_DIR/").append(n).append('"');
    }
    return b.toString();
  }

  static JsonNode namesRun(String key) throws Exception {
    HttpResponse<String> r = api.post("/runs?wait=60", api.alice, TestApi.sh(namesScript(), key));
    assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
    JsonNode run = api.awaitStatus(TestApi.json(r).get("id").asText(), api.alice, null);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    return run;
  }

  @Test
  void everyArtifactNameIsReachedThroughItsOwnLink() throws Exception {
    JsonNode run = namesRun("names");
    List<String> paths = new ArrayList<>();
    for (JsonNode a : run.get("artifacts")) {
      paths.add(a.get("path").asText());
      String href = a.get("href").asText();
      // RFC 3986: only unreserved characters and the '/' between segments stay unencoded.
      assertThat(href.substring(href.indexOf("/artifacts/") + 11)).matches("[A-Za-z0-9._~%/-]+");
      HttpResponse<String> got = api.get(href, api.alice);
      assertThat(got.statusCode()).as(href + ": " + got.body()).isEqualTo(200);
      assertThat(got.body()).isEqualTo(a.get("path").asText());
      headersConform("get", "/runs/{id}/artifacts/{path}", got);
    }
    assertThat(paths).containsExactlyInAnyOrderElementsOf(NAMES);
    String id = run.get("id").asText();
    // Decoded exactly once: "%2541.txt" is "%41.txt", never "A.txt"; %2F is a '/' of the path.
    assertThat(api.get("/runs/" + id + "/artifacts/%2541.txt", api.alice).body())
        .isEqualTo("%41.txt");
    assertThat(api.get("/runs/" + id + "/artifacts/%41.txt", api.alice).statusCode())
        .isEqualTo(404);
    assertThat(api.get("/runs/" + id + "/artifacts/dir%2Fsub%2Fn%20b.txt", api.alice).body())
        .isEqualTo("dir/sub/n b.txt");
    assertThat(api.get("/runs/" + id + "/artifacts/p+z.txt", api.alice).body())
        .isEqualTo("p+z.txt");
    // Traversal through an encoded separator finds nothing: paths are looked up in the record.
    assertThat(api.get("/runs/" + id + "/artifacts/..%2F..%2Fetc%2Fpasswd", api.alice).statusCode())
        .isBetween(400, 404);
    assertThat(api.get("/runs/" + id + "/artifacts/%E9.txt", api.alice).statusCode())
        .isEqualTo(400);
  }

  private record Case(String what, HttpResponse<String> response, ErrorKind kind) {}

  @Test
  void eachErrorKindHasItsOwnProblemTypeAndTitleAndNoLibraryNames() throws Exception {
    String base = "\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\"";
    List<Case> cases =
        List.of(
            new Case("bad json", api.post("/runs", api.alice, "{\"tool\":"), ErrorKind.BAD_JSON),
            new Case(
                "trailing data",
                api.post("/runs", api.alice, "{" + base + "} {}"),
                ErrorKind.BAD_JSON),
            new Case(
                "too deep",
                api.post("/runs", api.alice, "[".repeat(3000) + "]".repeat(3000)),
                ErrorKind.BAD_JSON),
            new Case(
                "duplicate key",
                api.post("/runs", api.alice, "{" + base + ",\"tool\":\"sh\"}"),
                ErrorKind.BAD_JSON),
            new Case(
                "unknown field",
                api.post("/runs", api.alice, "{" + base + ",\"colour\":1}"),
                ErrorKind.UNKNOWN_FIELD),
            new Case(
                "unknown limit",
                api.post("/runs", api.alice, "{" + base + ",\"limits\":{\"disk\":1}}"),
                ErrorKind.UNKNOWN_FIELD),
            new Case(
                "wrong type",
                api.post("/runs", api.alice, "{\"tool\":1,\"version\":\"1\",\"verb\":\"run\"}"),
                ErrorKind.SCHEMA_VIOLATION),
            new Case(
                "params schema",
                api.post("/runs", api.alice, "{" + base + ",\"params\":{\"script\":3}}"),
                ErrorKind.SCHEMA_VIOLATION),
            new Case(
                "unknown tool",
                api.post(
                    "/runs", api.alice, "{\"tool\":\"no\",\"version\":\"1\",\"verb\":\"run\"}"),
                ErrorKind.UNKNOWN_TOOL),
            new Case(
                "unknown verb",
                api.post("/runs", api.alice, "{\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"x\"}"),
                ErrorKind.UNKNOWN_TOOL),
            new Case(
                "env not allowed",
                api.post(
                    "/runs",
                    api.alice,
                    "{" + base + ",\"params\":{\"script\":\"x\"},\"env\":{\"PATH\":\"/x\"}}"),
                ErrorKind.FORBIDDEN),
            new Case(
                "bad key",
                api.post(
                    "/runs",
                    api.alice,
                    "{" + base + ",\"params\":{\"script\":\"x\"},\"idempotency_key\":\"a b\"}"),
                ErrorKind.INVALID_TRIGGER),
            new Case(
                "no content type",
                api.send(
                    api.req("/runs", api.alice)
                        .POST(HttpRequest.BodyPublishers.ofString("{" + base + "}"))
                        .build()),
                ErrorKind.UNSUPPORTED_MEDIA_TYPE),
            new Case(
                "form content type",
                api.send(
                    api.req("/runs", api.alice)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("{" + base + "}"))
                        .build()),
                ErrorKind.UNSUPPORTED_MEDIA_TYPE),
            new Case("no token", api.get("/runs", null), ErrorKind.UNAUTHENTICATED),
            new Case("unknown run", api.get("/runs/nope", api.alice), ErrorKind.NOT_FOUND),
            new Case("unknown path", api.get("/nope/deeper", api.alice), ErrorKind.NOT_FOUND),
            new Case(
                "method",
                api.send(
                    api.req("/healthz", null)
                        .method("PUT", HttpRequest.BodyPublishers.ofString("x"))
                        .build()),
                ErrorKind.METHOD_NOT_ALLOWED),
            new Case(
                "cancel an ended run",
                api.delete("/runs/" + namesRun("ended").get("id").asText(), api.alice),
                ErrorKind.CONFLICT),
            new Case(
                "huge upload",
                api.postBytes("/inputs", api.alice, new byte[300 << 10]),
                ErrorKind.TOO_LARGE),
            new Case(
                "long uri",
                api.get("/runs/" + "x".repeat(20_000), api.alice),
                ErrorKind.URI_TOO_LONG),
            new Case(
                "big header",
                api.send(
                    api.req("/healthz", null).header("X-Big", "y".repeat(20_000)).GET().build()),
                ErrorKind.HEADERS_TOO_LARGE),
            new Case(
                "limit above max",
                api.get("/runs?limit=5000", api.alice),
                ErrorKind.SCHEMA_VIOLATION),
            new Case(
                "bad percent-encoding",
                raw(
                    "GET /runs/x/artifacts/%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + api.alice
                        + "\r\nConnection: close\r\n\r\n"),
                ErrorKind.BAD_REQUEST),
            new Case(
                "not UTF-8",
                raw(
                    "GET /runs/x/artifacts/%E9.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + api.alice
                        + "\r\nConnection: close\r\n\r\n"),
                ErrorKind.BAD_REQUEST));
    for (Case c : cases) {
      HttpResponse<String> r = c.response();
      assertThat(r.statusCode()).as(c.what() + ": " + r.body()).isEqualTo(c.kind().httpStatus());
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .as(c.what())
          .startsWith("application/problem+json");
      JsonNode p = TestApi.json(r);
      assertThat(p.get("type").asText()).as(c.what()).isEqualTo(c.kind().typeUri());
      assertThat(p.get("title").asText()).as(c.what()).isEqualTo(c.kind().title());
      assertThat(p.get("status").asInt()).as(c.what()).isEqualTo(c.kind().httpStatus());
      assertThat(openapi.violations("Problem", r.body())).as(c.what()).isEmpty();
      assertThat(p.get("detail").asText())
          .as(c.what())
          .doesNotContain("com.fasterxml")
          .doesNotContain("jackson")
          .doesNotContain("JsonNode")
          .doesNotContain("StreamReadConstraints")
          .doesNotContain("Exception");
    }
    assertThat(cases.stream().map(c -> c.kind().slug()).distinct().count())
        .isGreaterThanOrEqualTo(15);
  }

  @Test
  void refusalsCarryTheirHeaderFieldsAndMatchTheDocument() throws Exception {
    HttpResponse<String> put =
        api.send(
            api.req("/runs", api.alice).PUT(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
    headersConform("post", "/runs", put);
    HttpResponse<String> del = api.delete("/healthz", null);
    assertThat(del.headers().firstValue("Allow")).hasValue("GET, HEAD");
    HttpResponse<String> noType =
        api.send(
            api.req("/runs", api.alice)
                .POST(HttpRequest.BodyPublishers.ofString(TestApi.sh("true", null)))
                .build());
    assertThat(noType.statusCode()).isEqualTo(415);
    assertThat(noType.headers().firstValue("Accept-Post")).hasValue("application/json");
    headersConform("post", "/runs", noType);
    HttpResponse<String> charset =
        api.send(
            api.req("/runs?wait=60", api.alice)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(TestApi.sh("true", null)))
                .build());
    assertThat(charset.statusCode()).as(charset.body()).isEqualTo(200);
    headersConform("post", "/runs", charset);
    HttpResponse<String> again =
        api.post("/runs?wait=60", api.alice, TestApi.sh("echo keyed", "replayed"));
    HttpResponse<String> replay =
        api.post("/runs?wait=60", api.alice, TestApi.sh("echo keyed", "replayed"));
    assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    headersConform("post", "/runs", again);
    headersConform("post", "/runs", replay);
    HttpResponse<String> noToken = api.get("/tools", null);
    headersConform("get", "/tools", noToken);
    HttpResponse<String> upload = api.postBytes("/inputs", api.alice, "x".getBytes());
    assertThat(upload.statusCode()).isEqualTo(201);
    headersConform("post", "/inputs", upload);
    headersConform("get", "/healthz", api.get("/healthz", null));
    headersConform("get", "/readyz", api.get("/readyz", null));
    headersConform("get", "/keys", api.get("/keys", null));
    headersConform("get", "/ledger/checkpoint", api.get("/ledger/checkpoint", null));
    // Every request header the server reads is declared where it is read.
    assertThat(openapi.requestHeaders("post", "/runs")).contains("Idempotency-Key");
    assertThat(openapi.requestHeaders("get", "/runs/{id}/artifacts/{path}"))
        .contains("Range", "If-None-Match", "If-Range");
  }

  @Test
  void headConditionalAndRangeRequestsFollowRfc9110() throws Exception {
    JsonNode run = namesRun("ranges");
    String href = run.at("/artifacts/0/href").asText();
    String sha = run.at("/artifacts/0/sha256").asText();
    long size = run.at("/artifacts/0/size").asLong();
    String etag = "\"" + sha + "\"";
    HttpResponse<String> head =
        api.send(
            api.req(href, api.alice).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("ETag")).hasValue(etag);
    assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(size));
    HttpResponse<String> headHealth =
        api.send(
            api.req("/healthz", null).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(headHealth.statusCode()).isEqualTo(200);
    assertThat(headHealth.body()).isEmpty();
    for (String inm : List.of("W/" + etag, "\"other\", " + etag, "*", "\"x\",W/" + etag)) {
      HttpResponse<String> r =
          api.send(api.req(href, api.alice).header("If-None-Match", inm).GET().build());
      assertThat(r.statusCode()).as(inm).isEqualTo(304);
      headersConform("get", "/runs/{id}/artifacts/{path}", r);
    }
    assertThat(
            api.send(api.req(href, api.alice).header("If-None-Match", "\"other\"").GET().build())
                .statusCode())
        .isEqualTo(200);
    for (String ignored : List.of("bytes=0-1,3-4", "bytes=x-y", "items=0-1", "bytes=5-2")) {
      HttpResponse<String> r =
          api.send(api.req(href, api.alice).header("Range", ignored).GET().build());
      assertThat(r.statusCode()).as(ignored).isEqualTo(200);
      assertThat(r.body().length()).as(ignored).isPositive();
    }
    HttpResponse<String> part =
        api.send(api.req(href, api.alice).header("Range", "bytes=1-2").GET().build());
    assertThat(part.statusCode()).isEqualTo(206);
    headersConform("get", "/runs/{id}/artifacts/{path}", part);
    HttpResponse<String> past =
        api.send(
            api.req(href, api.alice).header("Range", "bytes=" + (size + 10) + "-").GET().build());
    assertThat(past.statusCode()).isEqualTo(416);
    assertThat(past.headers().firstValue("Content-Range")).hasValue("bytes */" + size);
    assertThat(TestApi.json(past).get("type").asText())
        .isEqualTo(ErrorKind.RANGE_NOT_SATISFIABLE.typeUri());
    headersConform("get", "/runs/{id}/artifacts/{path}", past);
    headersConform(
        "get",
        "/runs/{id}/receipt",
        api.get("/runs/" + run.get("id").asText() + "/receipt", api.alice));
  }

  @Test
  void limitsAcceptEitherNameAndIntegralExponents() throws Exception {
    String base =
        "\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"script\":\"sleep 5\"}";
    HttpResponse<String> units =
        api.post("/runs?wait=60", api.alice, "{" + base + ",\"limits\":{\"wall_time\":\"1s\"}}");
    assertThat(units.statusCode()).as(units.body()).isEqualTo(200);
    assertThat(TestApi.json(units).get("status").asText()).isEqualTo("TIMED_OUT");
    HttpResponse<String> exp =
        api.post("/runs?wait=60", api.alice, "{" + base + ",\"limits\":{\"wall_time_ms\":1e3}}");
    assertThat(exp.statusCode()).as(exp.body()).isEqualTo(200);
    assertThat(TestApi.json(exp).get("status").asText()).isEqualTo("TIMED_OUT");
    HttpResponse<String> both =
        api.post(
            "/runs",
            api.alice,
            "{" + base + ",\"limits\":{\"wall_time\":\"1s\",\"wall_time_ms\":1000}}");
    assertThat(TestApi.json(both).get("kind").asText()).isEqualTo("schema-violation");
    HttpResponse<String> half =
        api.post("/runs", api.alice, "{" + base + ",\"limits\":{\"pids\":1.5}}");
    assertThat(TestApi.json(half).get("kind").asText()).isEqualTo("schema-violation");
    assertThat(api.get("/runs?limit=1e3", api.alice).statusCode()).isEqualTo(200);
    assertThat(api.get("/runs?limit=1000", api.alice).statusCode()).isEqualTo(200);
    assertThat(api.get("/runs?limit=1001", api.alice).statusCode()).isEqualTo(400);
    assertThat(api.get("/runs?limit=0", api.alice).statusCode()).isEqualTo(400);
  }

  @Test
  void aCancelledRunIsCancelledWithoutAnErrorAndItsEndEventAgrees() throws Exception {
    HttpResponse<String> r = api.post("/runs", api.alice, TestApi.sh("sleep 30", "to-cancel"));
    String id = TestApi.json(r).get("id").asText();
    api.awaitStatus(id, api.alice, "RUNNING");
    HttpResponse<String> c = api.delete("/runs/" + id, api.alice);
    assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
    JsonNode run = api.awaitStatus(id, api.alice, null);
    assertThat(run.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(run.get("error").isNull()).as(run.toString()).isTrue();
    HttpResponse<String> sse = api.get("/runs/" + id + "/logs?follow=true", api.alice);
    String end = sse.body().substring(sse.body().indexOf("event: end"));
    JsonNode data =
        TestApi.JSON.readTree(
            end.substring(end.indexOf("data: ") + 6).lines().findFirst().orElseThrow());
    assertThat(data.get("status").asText()).isEqualTo(run.get("status").asText());
    assertThat(data.get("exit_code")).isEqualTo(run.get("exit_code"));
    assertThat(data.get("signal")).isEqualTo(run.get("signal"));
    // A queued run cancelled before it starts carries no error either.
    HttpResponse<String> done =
        api.post("/runs?wait=60", api.alice, TestApi.sh("exit 4", "ended-4"));
    HttpResponse<String> sse4 =
        api.get("/runs/" + TestApi.json(done).get("id").asText() + "/logs?follow=true", api.alice);
    assertThat(sse4.body()).contains("\"exit_code\":4");
  }

  @Test
  void keysAreServedInVerifierKeyFormWithTheirIds() throws Exception {
    HttpResponse<String> r = api.get("/keys", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(openapi.violations("KeyList", r.body())).isEmpty();
    JsonNode keys = TestApi.json(r).get("keys");
    assertThat(keys.get(0).get("status").asText()).isEqualTo("active");
    String text = keys.get(0).get("verifier_key").asText();
    var key = io.quackrunner.receipts.VerifierKey.parse(text);
    assertThat(keys.get(0).get("key_id").asText()).isEqualTo(key.keyId());
    JsonNode run = namesRun("keyed");
    JsonNode env = TestApi.json(api.get("/runs/" + run.get("id").asText() + "/receipt", api.alice));
    assertThat(env.at("/signatures/0/keyid").asText()).isEqualTo(key.keyId());
  }

  @Test
  void readinessIsFalseWhileTheQueueIsFull() throws Exception {
    var state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    try (GatewayServer g = TestApi.start(TestApi.options(state, 1, 1))) {
      TestApi small = new TestApi(g.uri(), alice, null);
      OpenApiCheck doc = new OpenApiCheck(small.get("/openapi.json", null).body());
      assertThat(small.get("/readyz", null).statusCode()).isEqualTo(200);
      String a =
          TestApi.json(small.post("/runs", alice, TestApi.sh("sleep 30", "r1"))).get("id").asText();
      String b =
          TestApi.json(small.post("/runs", alice, TestApi.sh("sleep 30", "r2"))).get("id").asText();
      HttpResponse<String> full = small.get("/readyz", null);
      assertThat(full.statusCode()).as(full.body()).isEqualTo(503);
      assertThat(TestApi.json(full).get("status").asText()).isEqualTo("queue-full");
      assertThat(doc.violations("Ready", full.body())).isEmpty();
      assertThat(small.post("/runs", alice, TestApi.sh("true", "r3")).statusCode()).isEqualTo(429);
      small.delete("/runs/" + b, alice);
      small.delete("/runs/" + a, alice);
      small.awaitStatus(a, alice, null);
      // Ready again once the worker has let go of the runs: it records the receipt after the
      // status GET reads, and an embedded queue counts a cancelled run until its task is dropped.
      HttpResponse<String> again = small.get("/readyz", null);
      for (int i = 0; i < 200 && again.statusCode() != 200; i++) {
        Thread.sleep(50);
        again = small.get("/readyz", null);
      }
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }
  }

  /** Sends a request the JDK's client refuses to build; returns its status and body. */
  static HttpResponse<String> raw(String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      String head = text.substring(0, text.indexOf("\r\n\r\n"));
      String body = text.substring(text.indexOf("\r\n\r\n") + 4);
      Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      head.lines()
          .skip(1)
          .forEach(
              l ->
                  headers
                      .computeIfAbsent(l.substring(0, l.indexOf(':')), k -> new ArrayList<>())
                      .add(l.substring(l.indexOf(':') + 1).strip()));
      return new RawResponse(status, body, java.net.http.HttpHeaders.of(headers, (a, b) -> true));
    }
  }

  private record RawResponse(int statusCode, String body, java.net.http.HttpHeaders headers)
      implements HttpResponse<String> {
    @Override
    public HttpRequest request() {
      return null;
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.URI uri() {
      return server.uri();
    }

    @Override
    public java.net.http.HttpClient.Version version() {
      return java.net.http.HttpClient.Version.HTTP_1_1;
    }
  }
}
