package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/runner mcp --allow-execution} spawned by the official MCP Java SDK's stdio client: the
 * engine embedded on a state directory, JSON-RPC only on standard output.
 */
class McpStdioIT {
  @Test
  void theSdksStdioClientRunsPythonAndReadsTheRun() throws Exception {
    Path work = Files.createTempDirectory("qr-mcp-stdio-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    Path state = Files.createDirectories(work.resolve("state"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("RUNNER_ETC", Files.createDirectories(work.resolve("etc")).toString());
    env.put("RUNNER_PLUGINS", Files.createDirectories(work.resolve("plugins")).toString());
    ServerParameters params =
        ServerParameters.builder(RunnerProcess.LAUNCHER.toString())
            .args("mcp", "--state-dir", state.toString(), "--allow-execution")
            .env(env)
            .build();
    StdioClientTransport t =
        new StdioClientTransport(
            params, new JacksonMcpJsonMapper(new com.fasterxml.jackson.databind.ObjectMapper()));
    List<String> stderr = new java.util.concurrent.CopyOnWriteArrayList<>();
    t.setStdErrorHandler(stderr::add);
    JsonSchemaValidator accept =
        (schema, content) -> JsonSchemaValidator.ValidationResponse.asValid("{}");
    try (McpSyncClient c =
        McpClient.sync(t)
            .clientInfo(new McpSchema.Implementation("java-sdk-stdio-it", "2.0.1"))
            .jsonSchemaValidator(accept)
            .requestTimeout(Duration.ofSeconds(180))
            .initializationTimeout(Duration.ofSeconds(180))
            .build()) {
      McpSchema.InitializeResult init = c.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("quackrunner");
      assertThat(c.listTools().tools()).extracting(McpSchema.Tool::name).contains("python.run");
      String script = "print('hi')\n";
      McpSchema.CallToolResult r =
          c.callTool(
              new McpSchema.CallToolRequest(
                  "python.run",
                  Map.of(
                      "params",
                      Map.of("script", "a.py"),
                      "inputs",
                      List.of(
                          Map.of(
                              "name",
                              "a.py",
                              "content_base64",
                              Base64.getEncoder()
                                  .encodeToString(script.getBytes(StandardCharsets.UTF_8)))))));
      @SuppressWarnings("unchecked")
      Map<String, Object> run = (Map<String, Object>) r.structuredContent();
      assertThat(run.get("status")).as(String.valueOf(run)).isEqualTo("SUCCEEDED");
      @SuppressWarnings("unchecked")
      Map<String, Object> logs =
          (Map<String, Object>)
              c.callTool(
                      new McpSchema.CallToolRequest(
                          "get_logs", Map.of("run_id", run.get("id"), "stream", "stdout")))
                  .structuredContent();
      assertThat(logs.get("text")).isEqualTo("hi\n");
      assertThatThrownBy(
              () -> c.callTool(new McpSchema.CallToolRequest("get_run", Map.of("run_id", "nope"))))
          .isInstanceOf(McpError.class)
          .hasMessageContaining("no run nope");
    }
    // the service's log went to standard error, as JSON lines
    assertThat(stderr).anyMatch(l -> l.contains("\"event\":\"mcp.stdio.started\""));
  }

  /**
   * A client that writes its requests and closes stdin at once (a script piping into {@code runner
   * mcp}) still gets every answer: the end of input waits for the responses. Without that, the
   * SDK's transport stops writing at the end and the run's answer is lost.
   */
  @Test
  void requestsWrittenBeforeStdinClosesAreAllAnswered() throws Exception {
    Path work = Files.createTempDirectory("qr-mcp-stdio-eof-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    Path state = Files.createDirectories(work.resolve("state"));
    ProcessBuilder pb =
        new ProcessBuilder(
            RunnerProcess.LAUNCHER.toString(),
            "mcp",
            "--state-dir",
            state.toString(),
            "--allow-execution");
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("RUNNER_ETC", Files.createDirectories(work.resolve("etc")).toString());
    pb.environment()
        .put("RUNNER_PLUGINS", Files.createDirectories(work.resolve("plugins")).toString());
    pb.redirectError(work.resolve("stderr.log").toFile());
    Process p = pb.start();
    String script =
        Base64.getEncoder()
            .encodeToString(
                "import time\ntime.sleep(1)\nprint('late')\n".getBytes(StandardCharsets.UTF_8));
    String requests =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"pipe\",\"version\":\"1\"}}}\n"
            + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"python.run\",\"arguments\":{\"params\":{\"script\":\"a.py\"},"
            + "\"inputs\":[{\"name\":\"a.py\",\"content_base64\":\""
            + script
            + "\"}]}}}\n";
    try (var stdin = p.getOutputStream()) {
      stdin.write(requests.getBytes(StandardCharsets.UTF_8));
    }
    List<String> lines = new java.util.ArrayList<>();
    try (var r =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        lines.add(l);
      }
    }
    assertThat(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> answers = new java.util.ArrayList<>();
    for (String l : lines) {
      answers.add(json.readTree(l));
    }
    assertThat(answers).extracting(n -> n.path("id").asInt()).as(lines.toString()).contains(1, 2);
    com.fasterxml.jackson.databind.JsonNode run =
        answers.stream().filter(n -> n.path("id").asInt() == 2).findFirst().orElseThrow();
    assertThat(run.at("/result/structuredContent/status").asText())
        .as(run.toString())
        .isEqualTo("SUCCEEDED");
  }
}
