package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.testing.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * A real HTTP client of a server on loopback, with the tokens of two tenants, and the one place the
 * service suite's servers are started ({@link #start}).
 *
 * <p>The backend comes from the system property {@value #BACKEND_PROPERTY}: {@code sqlite} (the
 * default: the state directory's own files) or {@code postgresql} (one throwaway PostgreSQL 15 per
 * test JVM, {@link PostgresServer}, and a fresh database per state directory, migrated; a server
 * started again on the same state directory gets the same database, as a restarted node would).
 * runner-server's pom runs the service ITs once per backend.
 */
final class TestApi {
  /** The system property that selects the service suite's backend. */
  static final String BACKEND_PROPERTY = "quackrunner.test.backend";

  private static final java.util.Map<Path, String> DATABASES = new java.util.HashMap<>();
  private static PostgresServer postgres;

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

  /** Returns whether the service suite runs on PostgreSQL ({@value #BACKEND_PROPERTY}). */
  static boolean onPostgresql() {
    String b = System.getProperty(BACKEND_PROPERTY, "sqlite");
    if (!b.equals("sqlite") && !b.equals("postgresql")) {
      throw new IllegalStateException(BACKEND_PROPERTY + " must be sqlite or postgresql, not " + b);
    }
    return b.equals("postgresql");
  }

  /**
   * Starts a gateway on the suite's backend: {@code o} as given on SQLite; on PostgreSQL the same
   * options with the database of {@code o.stateDir()} (made on first use) and {@code --migrate}.
   */
  static GatewayServer start(ServerOptions o) {
    GatewayServer g = GatewayServer.start(onBackend(o));
    if (onPostgresql() && Files.exists(o.stateDir().resolve("runs.db"))) {
      g.close();
      throw new IllegalStateException("a server on PostgreSQL made " + o.stateDir() + "/runs.db");
    }
    return g;
  }

  /** Returns {@code o} on the suite's backend (see {@link #start}). */
  static ServerOptions onBackend(ServerOptions o) {
    if (!onPostgresql() || o.database() != null) {
      return o;
    }
    return new ServerOptions(
        o.port(),
        o.bind(),
        o.stateDir(),
        o.registry(),
        o.tokens(),
        o.limits(),
        o.concurrency(),
        o.queue(),
        o.maxBodyBytes(),
        o.maxInputBytes(),
        o.tlsKeystore(),
        o.tlsPasswordFile(),
        o.secretsDir(),
        database(o.stateDir()),
        true,
        o.nodeId(),
        o.nodeLeaseMs(),
        o.contentDir());
  }

  private static synchronized String database(Path state) {
    if (postgres == null) {
      postgres = PostgresServer.start();
      PostgresServer started = postgres;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
    }
    return DATABASES.computeIfAbsent(
        state.toAbsolutePath().normalize(),
        k ->
            postgres.createDatabase("suite_" + (DATABASES.size() + 1))
                + "?user="
                + PostgresServer.USER
                + "&password="
                + PostgresServer.PASSWORD);
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
