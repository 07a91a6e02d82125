package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.secrets.SecretStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenants' secrets end to end: a real server on loopback, real sandboxes, the real store. A value
 * reaches only the runs of its tenant whose tool declares it, and no record, log, stream or receipt
 * of the runner holds it.
 */
class SecretsIT {
  static final Path REGISTRY =
      Path.of("src/test/resources/registry/secret-tools.yaml").toAbsolutePath();
  static Path state;
  static GatewayServer server;
  static TestApi api;
  static String carol;
  static SecretStore store;
  static OpenApiCheck openapi;
  static final List<String> ALL_VALUES = new ArrayList<>();
  static final String ALICE_TOKEN = value("alice-tok-");
  static final String BOB_TOKEN = value("bob-tok-");
  static final String ALICE_DB = value("alice-db-");
  static final String BOB_DB = value("bob-db-");

  static String value(String prefix) {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    String v = prefix + HexFormat.of().formatHex(b);
    ALL_VALUES.add(v);
    return v;
  }

  /** The service's own log while this class runs, also passed on to the previous stream. */
  static final java.io.ByteArrayOutputStream SERVICE_LOG = new java.io.ByteArrayOutputStream();

  static java.io.PrintStream previousLog;

  @BeforeAll
  static void start() throws Exception {
    java.io.PrintStream before = System.err;
    previousLog =
        io.quackrunner.service.JsonLog.redirect(
            new java.io.PrintStream(
                new java.io.OutputStream() {
                  @Override
                  public void write(int b) {
                    synchronized (SERVICE_LOG) {
                      SERVICE_LOG.write(b);
                    }
                    before.write(b);
                  }
                },
                true,
                StandardCharsets.UTF_8));
    state = TestApi.newStateDir();
    Path tokens = state.resolve("tokens/tokens");
    String alice = TokenStore.issue(tokens, "alice");
    String bob = TokenStore.issue(tokens, "bob");
    carol = TokenStore.issue(tokens, "carol");
    store = SecretStore.open(state);
    store.set("alice", "API_TOKEN", ALICE_TOKEN.getBytes(StandardCharsets.UTF_8));
    store.set("alice", "DB_PASS", (ALICE_DB + "\n").getBytes(StandardCharsets.UTF_8));
    store.set("bob", "API_TOKEN", BOB_TOKEN.getBytes(StandardCharsets.UTF_8));
    store.set("bob", "DB_PASS", BOB_DB.getBytes(StandardCharsets.UTF_8));
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
    api = new TestApi(server.uri(), alice, bob);
    openapi = new OpenApiCheck(api.get("/openapi.json", null).body());
  }

  @AfterAll
  static void stop() {
    server.close();
    io.quackrunner.service.JsonLog.redirect(previousLog);
  }

  static String serviceLog() {
    synchronized (SERVICE_LOG) {
      return SERVICE_LOG.toString(StandardCharsets.UTF_8);
    }
  }

  static String request(String tool, String script, List<String> secrets) throws IOException {
    var n =
        TestApi.JSON.createObjectNode().put("tool", tool).put("version", "1").put("verb", "run");
    n.putObject("params").put("script", script);
    if (secrets != null) {
      secrets.forEach(n.putArray("secrets")::add);
    }
    return TestApi.JSON.writeValueAsString(n);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** The texts a value could hide in: itself, its base64, base64 of it inside other bytes. */
  static void assertHoldsNoValue(String what, String text) {
    for (String v : ALL_VALUES) {
      assertThat(text)
          .as(what)
          .doesNotContain(v)
          .doesNotContain(b64(v).substring(0, 24))
          .doesNotContain(b64("x" + v).substring(4, 28))
          .doesNotContain(b64("xy" + v).substring(4, 28));
    }
  }

  @Test
  void printedEncodedAndSplitSecretsAreRedactedEverywhere() throws Exception {
    String script =
        String.join(
            "; ",
            "v=$(cat /run/secrets/API_TOKEN)",
            "printf 'token=%s\\n' \"$v\"",
            "printf '%s' \"$v\" | base64 -w0; echo",
            "printf 'x%s' \"$v\" | base64 -w0; echo",
            "printf 'xy%sz' \"$v\" | base64 -w0; echo",
            "printf 'split=%.11s' \"$v\"",
            "sleep 1",
            "printf '%s\\n' \"${v#???????????}\"",
            "echo \"db=$PGPASSWORD\" >&2",
            "sleep 1",
            "echo done");
    HttpResponse<String> posted = api.post("/runs", api.alice, request("creds", script, null));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    String id = TestApi.json(posted).get("id").asText();
    List<String> sse = follow(id, null);
    JsonNode run = api.awaitStatus(id, api.alice, null);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    HttpResponse<String> result = api.get("/runs/" + id, api.alice);
    assertThat(openapi.violations("RunResult", result.body())).isEmpty();
    String stdout = api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body();
    String stderr = api.get("/runs/" + id + "/logs?stream=stderr", api.alice).body();
    String envelope = api.get("/runs/" + id + "/receipt", api.alice).body();
    JsonNode statement = GatewayIT.statement(api.get("/runs/" + id + "/receipt", api.alice));

    assertThat(stdout)
        .startsWith("token=[REDACTED:API_TOKEN]\n[REDACTED:API_TOKEN]\n")
        .contains("split=[REDACTED:API_TOKEN]\n")
        .endsWith("done\n");
    assertThat(stdout.split("\\[REDACTED:API_TOKEN]", -1)).hasSize(6);
    assertThat(stderr).isEqualTo("db=[REDACTED:DB_PASS]\n");
    assertThat(String.join("\n", sse))
        .contains("data: token=[REDACTED:API_TOKEN]", "data: split=[REDACTED:API_TOKEN]")
        .contains("data: db=[REDACTED:DB_PASS]");
    JsonNode r = TestApi.json(result);
    assertThat(r.at("/logs/stdout/redactions").asLong()).isEqualTo(5);
    assertThat(r.at("/logs/stderr/redactions").asLong()).isEqualTo(1);
    assertThat(r.at("/secrets")).hasSize(2);
    assertThat(r.at("/secrets/0").asText()).isEqualTo("API_TOKEN");
    assertThat(r.at("/secrets/1").asText()).isEqualTo("DB_PASS");
    JsonNode p = statement.get("predicate");
    assertThat(p.at("/stdout/redactions").asLong()).isEqualTo(5);
    assertThat(p.at("/stderr/redactions").asLong()).isEqualTo(1);
    assertThat(p.at("/stdout/sha256").asText()).isEqualTo(sha256(stdout));
    assertThat(p.at("/stdout/size").asLong())
        .isEqualTo(stdout.getBytes(StandardCharsets.UTF_8).length);
    assertThat(p.at("/secrets").toString()).isEqualTo("[\"API_TOKEN\",\"DB_PASS\"]");

    assertHoldsNoValue("stored stdout", stdout);
    assertHoldsNoValue("stored stderr", stderr);
    assertHoldsNoValue("SSE stream", String.join("\n", sse));
    assertHoldsNoValue("RunResult", result.body());
    assertHoldsNoValue("receipt", envelope + statement);
    assertHoldsNoValue("metrics", api.get("/metrics", null).body());
    assertHoldsNoValue("run list", api.get("/runs", api.alice).body());
    assertThat(serviceLog()).contains(id);
    assertHoldsNoValue("service log", serviceLog());
    assertNoFileOfTheStateHoldsAValue();
  }

  /** Every file the runner wrote (records, WAL, logs, ledger, content) outside the store. */
  static void assertNoFileOfTheStateHoldsAValue() throws IOException {
    try (Stream<Path> all = Files.walk(state)) {
      for (Path f :
          all.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
              .filter(f -> !f.startsWith(state.resolve("secrets")))
              .toList()) {
        assertHoldsNoValue(
            state.relativize(f).toString(),
            new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
  }

  @Test
  void theRegistryListsDeclaredSecretNamesAndDelivery() throws Exception {
    HttpResponse<String> tools = api.get("/tools", api.alice);
    assertThat(openapi.violations("ToolList", tools.body())).isEmpty();
    JsonNode creds = null;
    for (JsonNode t : TestApi.json(tools).get("tools")) {
      if (t.get("name").asText().equals("creds")) {
        creds = t.at("/versions/0/secrets");
      }
    }
    assertThat(String.valueOf(creds))
        .isEqualTo(
            "[{\"name\":\"API_TOKEN\",\"as\":\"file\",\"target\":\"API_TOKEN\"},"
                + "{\"name\":\"DB_PASS\",\"as\":\"env\",\"target\":\"PGPASSWORD\"}]");
  }

  @Test
  void eachTenantsRunReceivesOnlyItsOwnSecret() throws Exception {
    String script =
        "sha256sum /run/secrets/API_TOKEN | cut -c1-64; printf '%s' \"$PGPASSWORD\" | wc -c";
    String a = run(api.alice, request("creds", script, null));
    String b = run(api.bob, request("creds", script, null));
    assertThat(a).isEqualTo(sha256(ALICE_TOKEN) + "\n" + ALICE_DB.length() + "\n");
    assertThat(b).isEqualTo(sha256(BOB_TOKEN) + "\n" + BOB_DB.length() + "\n");
  }

  @Test
  void aMissingSecretIsRefusedBeforeAnyRunOrSandboxExists() throws Exception {
    long sandboxesBefore = count(state.resolve("sandboxes"));
    HttpResponse<String> r = api.post("/runs", carol, request("creds", "echo never", null));
    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
    assertThat(openapi.violations("Problem", r.body())).isEmpty();
    assertThat(TestApi.json(r).get("detail").asText())
        .contains("API_TOKEN")
        .contains("tenant carol");
    assertThat(TestApi.json(api.get("/runs", carol)).toString()).doesNotContain("creds");
    assertThat(count(state.resolve("sandboxes"))).isEqualTo(sandboxesBefore);
    // Bob has API_TOKEN but not ROTATED: Alice's secret of that name is never his.
    store.set("alice", "ROTATED", value("alice-only-").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> bob = api.post("/runs", api.bob, request("rotating", "true", null));
    assertThat(bob.statusCode()).as(bob.body()).isEqualTo(404);
    assertThat(TestApi.json(bob).get("detail").asText()).contains("ROTATED", "tenant bob");
  }

  @Test
  void anUndeclaredSecretIsRefusedAndNeverMounted() throws Exception {
    HttpResponse<String> r =
        api.post("/runs", api.alice, request("creds", "true", List.of("API_TOKEN", "ROTATED")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestApi.json(r).get("detail").asText()).contains("ROTATED").contains("not declared");
    HttpResponse<String> p =
        api.post("/runs", api.alice, request("plain", "true", List.of("API_TOKEN")));
    assertThat(p.statusCode()).as(p.body()).isEqualTo(400);
    assertThat(TestApi.json(p).get("detail").asText()).contains("API_TOKEN");
    // A declared subset: only API_TOKEN arrives, PGPASSWORD stays unset.
    String only =
        run(
            api.alice,
            request(
                "creds", "ls /run/secrets; echo \"pg=${PGPASSWORD-unset}\"", List.of("API_TOKEN")));
    assertThat(only).isEqualTo("API_TOKEN\npg=unset\n");
    // A tool that declares nothing has no /run/secrets at all.
    String none = run(api.alice, request("plain", "ls /run/secrets 2>&1; echo rc=$?", null));
    assertThat(none).contains("No such file").endsWith("rc=2\n");
  }

  @Test
  void theSecretFileIsReadableByItsRunOnlyAndGoneAfterIt() throws Exception {
    String script =
        "stat -c '%a %u' /run/secrets/API_TOKEN; stat -c '%a %u' /run/secrets;"
            + " grep -c -F -e \"$PGPASSWORD\" /proc/1/cmdline;"
            + " touch /run/secrets/x 2>/dev/null || echo read-only;"
            + " echo ready > $OUT_DIR/ready.txt;"
            + GO
            + "; wc -c < /run/secrets/API_TOKEN";
    String id =
        TestApi.json(api.post("/runs", api.alice, request("creds", script, null)))
            .get("id")
            .asText();
    Path file = state.resolve("sandboxes").resolve(id).resolve("secrets/API_TOKEN");
    Path ready = state.resolve("sandboxes").resolve(id).resolve("out/ready.txt");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(ready) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ready).exists();
    // No process argv on the host holds a value (env secrets reach bwrap on its stdin).
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path pid : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        String cmdline;
        try {
          cmdline = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
          continue;
        }
        assertThat(cmdline)
            .as(pid + "/cmdline")
            .doesNotContain(ALICE_DB)
            .doesNotContain(ALICE_TOKEN);
      }
    }
    int owner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    assertThat(owner).isGreaterThan(0);
    // Another sandbox uid (the next slot's) cannot read it on the host...
    Process other =
        new ProcessBuilder(
                "setpriv",
                "--reuid=" + (owner + 1),
                "--regid=" + (owner + 1),
                "--clear-groups",
                "cat",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String denied = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(other.waitFor()).isNotZero();
    assertThat(denied).contains("Permission denied").doesNotContain(ALICE_TOKEN);
    // ...and a concurrent run of another tenant sees neither its /run/secrets nor the host path.
    String concurrent =
        run(
            api.bob,
            request(
                "plain", "cat /run/secrets/API_TOKEN 2>&1; cat " + file + " 2>&1; echo end", null));
    assertThat(concurrent).contains("No such file").endsWith("end\n").doesNotContain(ALICE_TOKEN);
    assertThat(api.get("/runs/" + id, api.alice).body()).contains("\"RUNNING\"");
    go(id);
    JsonNode done = api.awaitStatus(id, api.alice, null);
    String out = api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body();
    assertThat(out)
        .as(done.toString())
        .isEqualTo("400 1000\n700 1000\n0\nread-only\n" + ALICE_TOKEN.length() + "\n");
    assertThat(file).doesNotExist();
    assertThat(state.resolve("sandboxes").resolve(id)).doesNotExist();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(id);
    List<String> artifacts = new ArrayList<>();
    done.get("artifacts").forEach(x -> artifacts.add(x.get("path").asText()));
    assertThat(artifacts).containsExactly("ready.txt");
    try (Stream<Path> s = Files.walk(state.resolve("runs").resolve(id))) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).doesNotContain(ALICE_TOKEN);
      }
    }
  }

  @Test
  void aRotatedSecretReachesTheNextRunWhileARunningOneKeepsItsValue() throws Exception {
    String before = value("rot-1-");
    String after = value("rot-2-");
    store.set("alice", "ROTATED", before.getBytes(StandardCharsets.UTF_8));
    String script =
        "sha256sum /run/secrets/ROTATED | cut -c1-64;"
            + GO
            + "; sha256sum /run/secrets/ROTATED | cut -c1-64";
    String first =
        TestApi.json(api.post("/runs", api.alice, request("rotating", script, null)))
            .get("id")
            .asText();
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<List<String>> sse =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return follow(first, started);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    store.set("alice", "ROTATED", after.getBytes(StandardCharsets.UTF_8));
    assertThat(TestApi.json(api.get("/runs/" + first, api.alice)).get("status").asText())
        .as("the value changed while the first run was executing")
        .isEqualTo("RUNNING");
    String second =
        run(api.alice, request("rotating", "sha256sum /run/secrets/ROTATED | cut -c1-64", null));
    go(first);
    sse.get(60, TimeUnit.SECONDS);
    api.awaitStatus(first, api.alice, null);
    String firstOut = api.get("/runs/" + first + "/logs?stream=stdout", api.alice).body();
    assertThat(firstOut).isEqualTo(sha256(before) + "\n" + sha256(before) + "\n");
    assertThat(second).isEqualTo(sha256(after) + "\n");
  }

  /**
   * A script step that waits (at most 60 s) until the test creates {@code $OUT_DIR/go} with {@link
   * #go}, then removes it: the run stays RUNNING exactly as long as the test needs, whatever the
   * machine's load.
   */
  static final String GO =
      " i=0; until [ -e $OUT_DIR/go ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done;"
          + " rm -f $OUT_DIR/go";

  /** Lets a run waiting in {@link #GO} go on. */
  static void go(String id) throws IOException {
    Path f = state.resolve("sandboxes").resolve(id).resolve("out/go");
    Files.writeString(f, "go");
  }

  /** Runs a request to its end and returns its stored stdout; fails unless it succeeded. */
  static String run(String token, String body) throws Exception {
    HttpResponse<String> r = api.post("/runs?wait=60", token, body);
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 202);
    String id = TestApi.json(r).get("id").asText();
    JsonNode done = api.awaitStatus(id, token, null);
    assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    return api.get("/runs/" + id + "/logs?stream=stdout", token).body();
  }

  private static long count(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  /** Follows a run's live logs (SSE) to the end; counts down {@code first} at the first data. */
  static List<String> follow(String id, CountDownLatch first) throws Exception {
    HttpRequest req = api.req("/runs/" + id + "/logs?follow=true", api.alice).GET().build();
    HttpResponse<java.io.InputStream> r =
        api.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> lines = new ArrayList<>();
    try (BufferedReader b =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = b.readLine()) != null) {
        lines.add(l);
        if (first != null && l.startsWith("data: ")) {
          first.countDown();
        }
      }
    }
    return lines;
  }
}
