package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/** A real HTTP client of a server on loopback, with the tokens of two tenants. */
final class TestApi {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path REGISTRY =
      Path.of("src/test/resources/registry/test-tools.yaml").toAbsolutePath();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final URI base;
  final String alice;
  final String bob;

  TestApi(URI base, String alice, String bob) {
    this.base = base;
    this.alice = alice;
    this.bob = bob;
  }

  static Path newStateDir() throws IOException {
    Path state = Files.createTempDirectory("qr-server-it-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    return state;
  }

  static ServerOptions options(Path state, int concurrency, int queue) {
    return new ServerOptions(
        0,
        "127.0.0.1",
        state,
        REGISTRY,
        state.resolve("tokens/tokens"),
        null,
        concurrency,
        queue,
        1L << 20,
        256L << 10,
        null,
        null);
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    return send(req(path, token).GET().build());
  }

  HttpResponse<String> delete(String path, String token) throws Exception {
    return send(req(path, token).DELETE().build());
  }

  HttpResponse<String> post(String path, String token, String json) throws Exception {
    return send(
        req(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  HttpResponse<String> postBytes(String path, String token, byte[] body) throws Exception {
    return send(
        req(path, token)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  HttpRequest.Builder req(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** Returns a RunRequest for the sh tool running a one-line script. */
  static String sh(String script, String key) throws IOException {
    var n = JSON.createObjectNode().put("tool", "sh").put("version", "1").put("verb", "run");
    n.putObject("params").put("script", script);
    if (key != null) {
      n.put("idempotency_key", key);
    }
    return JSON.writeValueAsString(n);
  }

  /** Polls a run until it reaches a status (or any terminal one when status is null). */
  JsonNode awaitStatus(String id, String token, String status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode r;
    do {
      r = json(get("/runs/" + id, token));
      String s = r.get("status").asText();
      if (status == null ? !s.equals("QUEUED") && !s.equals("RUNNING") : s.equals(status)) {
        return r;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("run " + id + " stayed " + r.get("status"));
  }
}
