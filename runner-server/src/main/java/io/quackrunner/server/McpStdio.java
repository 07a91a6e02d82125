package io.quackrunner.server;

import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.service.Backend;
import io.quackrunner.service.JsonLog;
import io.quackrunner.service.LedgerReceiptIssuer;
import io.quackrunner.service.RunService;
import io.quackrunner.service.ServiceConfig;
import io.quackrunner.tools.ToolRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point of {@code runner mcp}: an MCP server over stdio (MCP 2025-11-25, "Transports")
 * for a desktop agent that spawns a process, with the engine embedded on a state directory as
 * {@code runner exec} has it. Standard output carries JSON-RPC only; every log line goes to
 * standard error. Read-only unless started with {@code --allow-execution}.
 */
public final class McpStdio {
  /** The setting that allows run tools over stdio, as an MCP error names it. */
  public static final String SETTING = "runner mcp --allow-execution";

  private McpStdio() {}

  /**
   * Serves MCP on {@code in}/{@code out} until {@code in} ends and every request read has been
   * answered (at most the 16-minute request timeout), then closes the engine (running runs get up
   * to 10 s, as on a server stop).
   *
   * @param options the state directory, registry, limits and caps ({@link ServerOptions}; port,
   *     bind, tokens and TLS are not used)
   * @param allowExecution whether the run tools are offered
   * @param tenant the tenant the session acts for
   * @return 0 after {@code in} ended, or the error kind's exit code of a failed start (its one line
   *     on {@code err})
   */
  public static int run(
      ServerOptions options,
      boolean allowExecution,
      String tenant,
      InputStream in,
      OutputStream out,
      PrintStream err) {
    ReceiptLog log;
    RunService service;
    try {
      ToolRegistry registry =
          ToolRegistry.load(options.registry(), RuntimeProfiles.builtIn().ids());
      LimitsPolicy policy =
          options.limits() == null ? LimitsPolicy.builtIn() : LimitsPolicy.load(options.limits());
      Backend backend =
          Backend.open(
              options.stateDir(),
              new Backend.Database(
                  options.database(), options.migrate(), options.nodeId(), options.nodeLeaseMs()),
              Math.max(4, options.concurrency() + 2),
              "mcp");
      log = backend.receiptLog();
      try {
        service =
            RunService.open(
                new ServiceConfig(options.stateDir(), options.concurrency(), options.queue()),
                registry,
                policy,
                new LedgerReceiptIssuer(log),
                backend.runStores(),
                backend.nodes());
      } catch (RuntimeException e) {
        backend.close();
        throw e;
      }
      service.secretsDirectory(options.secretsDir());
      service.recover();
    } catch (RunnerException e) {
      err.println("runner mcp: " + e.getMessage());
      return e.kind().exitCode();
    }
    CountDownLatch ended = new CountDownLatch(1);
    // The end of input waits for the answers to the requests already read (McpStdioInFlight).
    McpStdioInFlight inFlight = new McpStdioInFlight(McpServers.REQUEST_TIMEOUT);
    InputStream watched = inFlight.input(in, ended::countDown);
    McpTools tools =
        new McpTools(
            service,
            log,
            new LedgerEndpoints(log.ledger(), log.keys(), () -> service.nodes().nodeStore()),
            ex -> tenant,
            options.maxInputBytes());
    StdioServerTransportProvider provider =
        new StdioServerTransportProvider(McpServers.MAPPER, watched, inFlight.output(out));
    McpSyncServer server =
        McpServers.stdio(
            allowExecution
                ? provider
                : McpReadOnly.stdio(provider, McpServers.runToolNames(tools), SETTING),
            tools,
            ex -> tenant,
            allowExecution);
    JsonLog.info(
        "mcp.stdio.started",
        "state_dir",
        options.stateDir().toString(),
        "execution",
        allowExecution,
        "tenant",
        tenant);
    try {
      ended.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.closeGracefully();
    } catch (RuntimeException e) {
      JsonLog.warn("mcp.stdio.close_failed", "detail", String.valueOf(e));
    }
    service.close();
    log.close();
    return 0;
  }

  /** Parses {@code runner serve}-style options ({@link ServerOptions#parse}). */
  public static ServerOptions options(List<String> args) {
    return ServerOptions.parse(args);
  }
}
