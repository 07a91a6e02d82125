package io.quackrunner.server;

import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.quackrunner.RunnerVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds QuackRunner's MCP servers (official MCP Java SDK, spec revision 2025-11-25) over one
 * {@link McpTools}: read-only ones without the run tools (behind {@link McpReadOnly}) and executing
 * ones with them.
 */
final class McpServers {
  static final String NAME = "quackrunner";
  static final JacksonMcpJsonMapper MAPPER = new JacksonMcpJsonMapper(McpSchemas.JSON);

  /** Longest a request may take before the SDK fails it: a run tool waits for its run. */
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(16);

  private static final String INSTRUCTIONS =
      "QuackRunner runs registered tools once, in a sandbox, and signs a receipt of each run."
          + " Read tools (get_run, list_runs, get_logs, list_artifacts, get_receipt,"
          + " verify_receipt, ledger_checkpoint, inclusion_proof) are always offered; the run"
          + " tools (<tool>.<verb>) only where the operator allowed execution over MCP.";

  private McpServers() {}

  private static List<SyncToolSpecification> tools(McpTools t, boolean execute) {
    List<SyncToolSpecification> all = new ArrayList<>(t.readTools());
    if (execute) {
      all.addAll(t.runTools());
    }
    return all;
  }

  private static McpSchema.ServerCapabilities capabilities() {
    return McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build();
  }

  static McpSyncServer stdio(
      McpServerTransportProvider p,
      McpTools t,
      Function<McpSyncServerExchange, String> tenantOf,
      boolean execute) {
    return McpServer.sync(p)
        .serverInfo(NAME, RunnerVersion.get())
        .instructions(INSTRUCTIONS)
        .jsonMapper(MAPPER)
        .jsonSchemaValidator(t.schemas())
        .validateToolInputs(false) // McpTools validates, naming the field, as a protocol error
        .requestTimeout(REQUEST_TIMEOUT)
        .capabilities(capabilities())
        .tools(tools(t, execute))
        .resourceTemplates(McpResources.templates(t.service(), tenantOf))
        .build();
  }

  static McpSyncServer streamable(
      McpStreamableServerTransportProvider p,
      McpTools t,
      Function<McpSyncServerExchange, String> tenantOf,
      boolean execute) {
    return McpServer.sync(p)
        .serverInfo(NAME, RunnerVersion.get())
        .instructions(INSTRUCTIONS)
        .jsonMapper(MAPPER)
        .jsonSchemaValidator(t.schemas())
        .validateToolInputs(false)
        .requestTimeout(REQUEST_TIMEOUT)
        .capabilities(capabilities())
        .tools(tools(t, execute))
        .resourceTemplates(McpResources.templates(t.service(), tenantOf))
        .build();
  }

  static Set<String> runToolNames(McpTools t) {
    return Set.copyOf(t.targets().keySet());
  }
}
