package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.receipts.TriggerHashes;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP front-end over Streamable HTTP at {@code /mcp}, driven by the official MCP Java SDK's
 * client against a real gateway on loopback, with the bundled registry's {@code python} tool in the
 * real sandbox.
 */
class McpHttpIT {
  static final Path REGISTRY = Path.of("../registry/tools.yaml").toAbsolutePath();
  static final String SCRIPT =
      "import os\nprint('hello from mcp')\n"
          + "open(os.environ['OUT_DIR'] + '/answer.txt', 'w').write('42\\n')\n";
  static GatewayServer server;
  static TestApi api;
  static String aliceExec;
  static String aliceRead;
  static String bobExec;

  @BeforeAll
  static void start() throws Exception {
    Path state = TestApi.newStateDir();
    ServerOptions o = TestApi.options(state, 2, 8);
    o =
        new ServerOptions(
            0,
            "127.0.0.1",
            state,
            REGISTRY,
            o.tokens(),
            null,
            2,
            8,
            1L << 20,
            256L << 10,
            null,
            null);
    aliceExec = TokenStore.issue(o.tokens(), "alice", true);
    aliceRead = TokenStore.issue(o.tokens(), "alice");
    bobExec = TokenStore.issue(o.tokens(), "bob", true);
    server = TestApi.start(o);
    api = new TestApi(server.uri(), aliceExec, bobExec);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static McpSyncClient client(String token, List<McpSchema.ProgressNotification> progress) {
    HttpClientStreamableHttpTransport t =
        HttpClientStreamableHttpTransport.builder(server.uri().toString())
            .endpoint("/mcp")
            .jsonMapper(McpServers.MAPPER)
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
            .build();
    McpSyncClient c =
        McpClient.sync(t)
            .clientInfo(new McpSchema.Implementation("quackrunner-it", "9.9.9"))
            .jsonSchemaValidator(new McpSchemas()) // checks structuredContent against outputSchema
            .requestTimeout(Duration.ofSeconds(120))
            .progressConsumer(p -> progress.add(p))
            .build();
    c.initialize();
    return c;
  }

  static Map<String, Object> pythonArgs(String script) {
    return Map.of(
        "params",
        Map.of("script", "hello.py"),
        "inputs",
        List.of(
            Map.of(
                "name",
                "hello.py",
                "content_base64",
                Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)))));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> structured(McpSchema.CallToolResult r) {
    return (Map<String, Object>) r.structuredContent();
  }

  @Test
  void unauthenticatedIs401WithChallenge() throws Exception {
    HttpResponse<String> r =
        api.send(
            HttpRequest.newBuilder(server.uri().resolve("/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"quackrunner\"");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void runsPythonWithProgressAndTheSameRecordAsHttp() throws Exception {
    List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
    try (McpSyncClient c = client(aliceExec, progress)) {
      List<String> names = c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      assertThat(names)
          .contains(
              "python.run",
              "imagemagick.thumbnail",
              "get_run",
              "list_runs",
              "get_logs",
              "list_artifacts",
              "get_receipt",
              "verify_receipt",
              "ledger_checkpoint",
              "inclusion_proof");
      McpSchema.Tool python =
          c.listTools().tools().stream()
              .filter(t -> t.name().equals("python.run"))
              .findFirst()
              .get();
      assertThat(python.outputSchema()).containsKey("$defs");
      assertThat(python.description()).contains("python@1.0.0");

      McpSchema.CallToolResult r =
          c.callTool(
              new McpSchema.CallToolRequest(
                  "python.run", pythonArgs(SCRIPT), Map.of("progressToken", "tok-1")));
      Map<String, Object> run = structured(r);
      assertThat(r.isError()).as(String.valueOf(run)).isFalse();
      assertThat(run.get("status")).isEqualTo("SUCCEEDED");
      String id = (String) run.get("id");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> artifacts = (List<Map<String, Object>>) run.get("artifacts");
      assertThat(artifacts).hasSize(1);
      assertThat(artifacts.get(0).get("sha256"))
          .isEqualTo(TriggerHashes.sha256("42\n".getBytes(StandardCharsets.UTF_8)));
      assertThat(r.content().get(0)).isInstanceOf(McpSchema.TextContent.class);
      assertThat(TestApi.JSON.readTree(((McpSchema.TextContent) r.content().get(0)).text()))
          .isEqualTo(TestApi.JSON.valueToTree(run));
      assertThat(r.content())
          .filteredOn(x -> x instanceof McpSchema.ResourceLink)
          .extracting(x -> ((McpSchema.ResourceLink) x).uri())
          .contains(
              "quackrunner://runs/" + id + "/artifacts/answer.txt",
              "quackrunner://runs/" + id + "/receipt");

      // progress: the caller's token, strictly growing, from a phase before "done" to "done"
      assertThat(progress).isNotEmpty();
      assertThat(progress).allMatch(p -> p.progressToken().equals("tok-1"));
      for (int i = 1; i < progress.size(); i++) {
        assertThat(progress.get(i).progress()).isGreaterThan(progress.get(i - 1).progress());
      }
      assertThat(progress.get(progress.size() - 1).message()).startsWith("phase=done");
      assertThat(progress.get(0).message()).doesNotStartWith("phase=done");

      // the artifact as a resource, with its media type
      McpSchema.ReadResourceResult res =
          c.readResource(
              new McpSchema.ReadResourceRequest(
                  "quackrunner://runs/" + id + "/artifacts/answer.txt"));
      McpSchema.TextResourceContents text = (McpSchema.TextResourceContents) res.contents().get(0);
      assertThat(text.text()).isEqualTo("42\n");
      assertThat(text.mimeType()).startsWith("text/plain");

      // logs, receipt, verification
      Map<String, Object> logs =
          structured(c.callTool(new McpSchema.CallToolRequest("get_logs", Map.of("run_id", id))));
      assertThat(logs.get("text")).isEqualTo("hello from mcp\n");
      Map<String, Object> verified =
          structured(
              c.callTool(new McpSchema.CallToolRequest("verify_receipt", Map.of("run_id", id))));
      assertThat(verified.get("ok")).as(String.valueOf(verified)).isEqualTo(true);
      assertThat(verified.get("checks").toString()).contains("inclusion", "signature");

      // the same record and receipt as over HTTP, with the MCP origin
      JsonNode http = TestApi.JSON.readTree(api.get("/runs/" + id, aliceExec).body());
      assertThat(http).isEqualTo(TestApi.JSON.valueToTree(run));
      byte[] envelope = api.get("/runs/" + id + "/receipt", aliceExec).body().getBytes();
      JsonNode predicate =
          ReceiptStatement.parse(Dsse.parse(envelope).payload()).toJson().get("predicate");
      assertThat(predicate.at("/origin/front_end").asText()).isEqualTo("mcp");
      assertThat(predicate.at("/origin/client_name").asText()).isEqualTo("quackrunner-it");
      assertThat(predicate.at("/origin/client_version").asText()).isEqualTo("9.9.9");
      assertThat(predicate.at("/execution_id").asText()).isEqualTo(id);
    }
  }

  @Test
  void aFailingRunIsAToolErrorWithItsReceipt() {
    try (McpSyncClient c = client(aliceExec, new CopyOnWriteArrayList<>())) {
      McpSchema.CallToolResult r =
          c.callTool(
              new McpSchema.CallToolRequest("python.run", pythonArgs("import sys\nsys.exit(3)\n")));
      assertThat(r.isError()).isTrue();
      assertThat(structured(r).get("status")).isEqualTo("FAILED");
      assertThat(structured(r).get("exit_code")).isEqualTo(3);
      assertThat(structured(r).get("receipt")).isNotNull();
    }
  }

  @Test
  void badArgumentsAreProtocolErrorsNamingTheField() {
    try (McpSyncClient c = client(aliceExec, new CopyOnWriteArrayList<>())) {
      assertThatThrownBy(
              () ->
                  c.callTool(
                      new McpSchema.CallToolRequest(
                          "python.run", Map.of("params", Map.of("script", 5)))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("script")
          .satisfies(
              e ->
                  assertThat(((McpError) e).getJsonRpcError().code())
                      .isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS));
      assertThatThrownBy(
              () ->
                  c.callTool(
                      new McpSchema.CallToolRequest(
                          "python.run", Map.of("params", Map.of("script", "a.py"), "bogus", true))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("bogus");
      // an inline input over the HTTP API's cap (256 KiB here) is refused the same way
      String big = Base64.getEncoder().encodeToString(new byte[300 * 1024]);
      assertThatThrownBy(
              () ->
                  c.callTool(
                      new McpSchema.CallToolRequest(
                          "python.run",
                          Map.of(
                              "params",
                              Map.of("script", "a.py"),
                              "inputs",
                              List.of(Map.of("name", "a.py", "content_base64", big))))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("inputs[0]");
      assertThatThrownBy(() -> c.callTool(new McpSchema.CallToolRequest("no.such", Map.of())))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("Unknown tool");
    }
  }

  @Test
  void withoutTheOptInRunToolsAreNotListedAndCallingOneNamesTheSetting() {
    try (McpSyncClient c = client(aliceRead, new CopyOnWriteArrayList<>())) {
      List<String> names = c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      assertThat(names).contains("get_run", "verify_receipt").doesNotContain("python.run");
      assertThatThrownBy(
              () -> c.callTool(new McpSchema.CallToolRequest("python.run", pythonArgs(SCRIPT))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("mcp-execute");
      assertThat(c.callTool(new McpSchema.CallToolRequest("list_runs", Map.of())).isError())
          .isFalse();
    }
  }

  @Test
  void anotherTenantsRunIsNotFound() {
    String id;
    try (McpSyncClient c = client(aliceExec, new CopyOnWriteArrayList<>())) {
      id =
          (String)
              structured(
                      c.callTool(new McpSchema.CallToolRequest("python.run", pythonArgs(SCRIPT))))
                  .get("id");
    }
    try (McpSyncClient bob = client(bobExec, new CopyOnWriteArrayList<>())) {
      assertThatThrownBy(
              () -> bob.callTool(new McpSchema.CallToolRequest("get_run", Map.of("run_id", id))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("no run " + id);
      assertThatThrownBy(
              () ->
                  bob.readResource(
                      new McpSchema.ReadResourceRequest(
                          "quackrunner://runs/" + id + "/artifacts/answer.txt")))
          .isInstanceOf(McpError.class)
          .satisfies(
              e ->
                  assertThat(((McpError) e).getJsonRpcError().code())
                      .isEqualTo(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND));
      assertThat(
              structured(bob.callTool(new McpSchema.CallToolRequest("list_runs", Map.of())))
                  .get("runs")
                  .toString())
          .doesNotContain(id);
    }
  }
}
