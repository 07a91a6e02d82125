package io.quackrunner.server;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.service.RunService;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;

/**
 * MCP over Streamable HTTP at {@code /mcp} (MCP 2025-11-25, "Transports"), on the gateway's own
 * Jetty server: authenticates the bearer token as {@code /runs} does (401 problem with {@code
 * WWW-Authenticate} otherwise), then hands the request to the SDK's servlet transport of the
 * executing server when the token has the {@value TokenStore#MCP_EXECUTE} opt-in, or of the
 * read-only server when it has not. The token's tenant scopes every read.
 */
final class McpServlet extends HttpServlet {
  static final String PATH = "/mcp";
  static final String SETTING =
      "the token file's third column '"
          + TokenStore.MCP_EXECUTE
          + "' (runner tokens add --tenant T --mcp-execute)";
  private static final String TENANT = "quackrunner.tenant";

  private final transient TokenStore tokens;
  private final transient HttpServletStreamableServerTransportProvider readOnly;
  private final transient HttpServletStreamableServerTransportProvider executing;
  private final transient McpSyncServer readOnlyServer;
  private final transient McpSyncServer executingServer;

  McpServlet(RunService service, TokenStore tokens, ReceiptLog log, LedgerAccess ledger, long max) {
    this.tokens = tokens;
    Function<McpSyncServerExchange, String> tenantOf =
        ex -> {
          Object t = ex.transportContext().get(TENANT);
          if (t == null) {
            throw new RunnerException(ErrorKind.UNAUTHENTICATED, "no tenant on this request");
          }
          return t.toString();
        };
    McpTools tools = new McpTools(service, log, ledger, tenantOf, max);
    this.readOnly = provider();
    this.executing = provider();
    this.readOnlyServer =
        McpServers.streamable(
            McpReadOnly.streamable(readOnly, McpServers.runToolNames(tools), SETTING),
            tools,
            tenantOf,
            false);
    this.executingServer = McpServers.streamable(executing, tools, tenantOf, true);
  }

  private static HttpServletStreamableServerTransportProvider provider() {
    return HttpServletStreamableServerTransportProvider.builder()
        .jsonMapper(McpServers.MAPPER)
        .mcpEndpoint(PATH)
        .contextExtractor(
            req -> McpTransportContext.create(Map.of(TENANT, req.getAttribute(TENANT))))
        .build();
  }

  /** Returns a servlet context at {@code /mcp} holding this servlet (async, for SSE streams). */
  ServletContextHandler context() {
    ServletContextHandler c = new ServletContextHandler(PATH);
    c.setAllowNullPathInContext(true); // "/mcp" itself is the endpoint, not a redirect to "/mcp/"
    ServletHolder h = new ServletHolder("mcp", this);
    h.setAsyncSupported(true);
    c.addServlet(h, "/*");
    return c;
  }

  @Override
  public void init(ServletConfig config) throws ServletException {
    super.init(config);
    readOnly.init(config);
    executing.init(config);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp)
      throws ServletException, IOException {
    TokenStore.Entry who;
    try {
      who = tokens.principal(req.getHeader("Authorization"));
    } catch (RunnerException e) {
      resp.setStatus(401);
      resp.setHeader("WWW-Authenticate", "Bearer realm=\"quackrunner\"");
      resp.setContentType(Http.PROBLEM_TYPE);
      resp.getOutputStream().write(McpSchemas.JSON.writeValueAsBytes(Http.problem(e, 401, PATH)));
      return;
    }
    req.setAttribute(TENANT, who.tenant());
    jakarta.servlet.Servlet target = who.mcpExecute() ? executing : readOnly;
    target.service((jakarta.servlet.ServletRequest) req, (jakarta.servlet.ServletResponse) resp);
  }

  @Override
  public void destroy() {
    readOnlyServer.close();
    executingServer.close();
    super.destroy();
  }
}
