package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client no one here wrote: the official MCP TypeScript SDK ({@code @modelcontextprotocol/sdk},
 * pinned in {@code runner-server/src/test/mcp-client/package-lock.json}, installed by {@code
 * bin/setup}) on Node 20, driven by {@code client.mjs} against a real {@code bin/runner serve}
 * (Streamable HTTP at {@code /mcp}, bearer tokens made with {@code runner tokens add}) and a real
 * {@code bin/runner mcp} it spawns (stdio), with the bundled {@code python} tool in the sandbox.
 */
class McpTypeScriptClientIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path CLIENT = RunnerProcess.HOME.resolve("runner-server/src/test/mcp-client");
  static Path work;
  static Path state;
  static Process serve;
  static String url;

  @BeforeAll
  static void startServer() throws Exception {
    assertThat(CLIENT.resolve("node_modules/@modelcontextprotocol/sdk/package.json"))
        .as(
            "the pinned MCP TypeScript SDK is missing: run bin/setup --no-build (npm ci in "
                + CLIENT
                + ")")
        .exists();
    work = Files.createTempDirectory("qr-mcp-ts-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    state = Files.createDirectories(work.resolve("state"));
    Path log = work.resolve("serve.log");
    serve =
        new ProcessBuilder(
                RunnerProcess.LAUNCHER.toString(),
                "serve",
                "--port",
                "0",
                "--state-dir",
                state.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Pattern listening = Pattern.compile("listening on (http://\\S+)");
    for (int i = 0; i < 600 && url == null; i++) {
      Matcher m = listening.matcher(Files.readString(log));
      if (m.find()) {
        url = m.group(1);
      } else {
        assertThat(serve.isAlive()).as(Files.readString(log)).isTrue();
        Thread.sleep(100);
      }
    }
    assertThat(url).as(Files.readString(log)).isNotNull();
  }

  @AfterAll
  static void stopServer() throws Exception {
    serve.destroy();
    serve.waitFor(30, TimeUnit.SECONDS);
  }

  private static RunnerProcess.Result runner(String... args) {
    return new RunnerProcess(work).env("RUNNER_STATE_DIR", state.toString()).run(args);
  }

  private static String token(String tenant, boolean execute) {
    List<String> a = new ArrayList<>(List.of("tokens", "add", "--tenant", tenant));
    if (execute) {
      a.add("--mcp-execute");
    }
    RunnerProcess.Result r = runner(a.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    return r.stdout().strip();
  }

  /** Runs client.mjs with the given settings and returns its report. */
  private static JsonNode client(Map<String, String> settings) throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    for (String v :
        List.of(
            "RUNNER_JAVA", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH")) {
      env.remove(v);
    }
    env.put("RUNNER_ETC", Files.createDirectories(work.resolve("etc")).toString());
    env.put("RUNNER_PLUGINS", Files.createDirectories(work.resolve("plugins")).toString());
    env.putAll(settings);
    Path out = Files.createTempFile(work, "client-", ".json");
    Path err = Files.createTempFile(work, "client-", ".err");
    ProcessBuilder pb =
        new ProcessBuilder("node", CLIENT.resolve("client.mjs").toString())
            .directory(CLIENT.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("client.mjs finished").isTrue();
    String stderr = Files.readString(err);
    assertThat(p.exitValue()).as(stderr).isZero();
    return JSON.readTree(Files.readString(out));
  }

  private static Map<String, String> http(String token, boolean run, String foreign) {
    Map<String, String> m = new HashMap<>();
    m.put("QR_TRANSPORT", "http");
    m.put("QR_URL", url + "/mcp");
    m.put("QR_TOKEN", token);
    m.put("QR_RUN", run ? "1" : "0");
    if (foreign != null) {
      m.put("QR_FOREIGN_RUN", foreign);
    }
    return m;
  }

  private static Map<String, String> stdio(boolean execute, boolean run) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(RunnerProcess.LAUNCHER.toString(), "mcp", "--state-dir", state.toString()));
    if (execute) {
      cmd.add("--allow-execution");
    }
    return Map.of(
        "QR_TRANSPORT",
        "stdio",
        "QR_COMMAND",
        JSON.writeValueAsString(cmd),
        "QR_RUN",
        run ? "1" : "0");
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** Checks a run report of client.mjs: result, progress, artifact and verification. */
  private static void assertRan(JsonNode report) throws Exception {
    JsonNode run = report.get("run");
    assertThat(run.has("error")).as(run.toString()).isFalse();
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("isError").asBoolean()).isFalse();
    assertThat(run.get("textMatchesStructured").asBoolean()).isTrue();
    assertThat(run.get("artifactSha256").asText()).isEqualTo(sha256("42\n"));
    assertThat(run.get("resourceSha256").asText()).isEqualTo(sha256("42\n"));
    assertThat(run.get("resourceMimeType").asText()).startsWith("text/plain");
    JsonNode progress = run.get("progress");
    assertThat(progress.size()).as(progress.toString()).isGreaterThanOrEqualTo(2);
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i).get("progress").asDouble())
          .isGreaterThan(progress.get(i - 1).get("progress").asDouble());
    }
    assertThat(progress.get(progress.size() - 1).get("message").asText()).startsWith("phase=done");
    assertThat(run.at("/verify/ok").asBoolean()).as(run.get("verify").toString()).isTrue();
    JsonNode bad = report.at("/schemaViolation/error");
    assertThat(bad.get("code").asInt()).isEqualTo(-32602);
    assertThat(bad.get("message").asText()).contains("script");
  }

  /** Checks with {@code runner verify} that a run's receipt verifies and names the MCP origin. */
  private static void assertReceipt(String id, String token) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/runs/" + id + "/receipt"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Path file = work.resolve(id + ".receipt.dsse.json");
    Files.writeString(file, r.body());
    RunnerProcess.Result v =
        runner(
            "verify",
            file.toString(),
            "--artifacts",
            state.resolve("runs").resolve(id).resolve("out").toString(),
            "--ledger",
            state.toString());
    assertThat(v.exitCode()).as(v.stdout() + v.stderr()).isZero();
    JsonNode payload =
        JSON.readTree(Base64.getDecoder().decode(JSON.readTree(r.body()).get("payload").asText()));
    assertThat(payload.at("/predicate/origin/front_end").asText()).isEqualTo("mcp");
    assertThat(payload.at("/predicate/origin/client_name").asText()).isEqualTo("ts-sdk-it");
    assertThat(payload.at("/predicate/origin/client_version").asText()).isEqualTo("1.32.2");
  }

  @Test
  void streamableHttpRunsOnlyWithTheOptInAndKeepsTenantsApart() throws Exception {
    String aliceExec = token("alice", true);
    String aliceRead = token("alice", false);
    String bob = token("bob", true);

    JsonNode ran = client(http(aliceExec, true, null));
    assertThat(ran.at("/server/name").asText()).isEqualTo("quackrunner");
    assertThat(ran.get("tools").toString()).contains("\"python.run\"", "\"verify_receipt\"");
    assertThat(ran.get("templates").toString())
        .contains("quackrunner://runs/{id}/artifacts/{path}", "quackrunner://runs/{id}/receipt");
    assertRan(ran);
    String id = ran.at("/run/id").asText();
    assertReceipt(id, aliceExec);

    JsonNode readOnly = client(http(aliceRead, false, id));
    assertThat(readOnly.get("tools").toString()).doesNotContain("python.run").contains("get_run");
    JsonNode refused = readOnly.at("/runWithoutExecution/error");
    assertThat(refused.get("code").asInt()).isEqualTo(-32602);
    assertThat(refused.get("message").asText()).contains("mcp-execute");
    assertThat(readOnly.at("/foreignRun/status").asText()).isEqualTo("SUCCEEDED");
    assertThat(readOnly.at("/foreignVerify/ok").asBoolean()).isTrue();
    assertThat(readOnly.get("listRuns").toString()).contains(id);

    JsonNode other = client(http(bob, false, id));
    assertThat(other.at("/foreignRun/error/message").asText()).contains("no run " + id);
    assertThat(other.at("/foreignVerify/error/message").asText()).contains("no run " + id);
    assertThat(other.get("listRuns").toString()).doesNotContain(id);
  }

  @Test
  void stdioIsReadOnlyUnlessAllowedOnTheCommandLine() throws Exception {
    JsonNode readOnly = client(stdio(false, false));
    assertThat(readOnly.get("tools").toString()).doesNotContain("python.run").contains("get_run");
    assertThat(readOnly.at("/runWithoutExecution/error/message").asText())
        .contains("runner mcp --allow-execution");

    JsonNode ran = client(stdio(true, true));
    assertThat(ran.get("tools").toString()).contains("\"python.run\"");
    assertRan(ran);
    String id = ran.at("/run/id").asText();
    // the run is the local tenant's, in the same state directory as the server's
    Path receipt = state.resolve("runs").resolve(id).resolve("out");
    assertThat(receipt).isDirectory();
    assertThat(ran.get("listRuns").toString()).contains(id);
  }
}
