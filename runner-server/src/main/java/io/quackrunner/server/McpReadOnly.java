package io.quackrunner.server;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Makes a read-only MCP server's refusal of a run tool name the setting that allows it.
 *
 * <p>A read-only server does not register the run tools, so {@code tools/list} does not show them;
 * the SDK would answer a call of one with its generic "Unknown tool". These transport-provider
 * wrappers put a thin session in front of the SDK's own, which answers {@code tools/call} of a
 * run-tool name with JSON-RPC error -32602 naming the setting (and {@code data.setting}), and hands
 * every other message to the SDK's session unchanged. Names that are no run tool still get the
 * SDK's "Unknown tool".
 */
final class McpReadOnly {
  private McpReadOnly() {}

  static String message(String tool, String setting) {
    return "tool "
        + tool
        + " runs a registered tool, and execution over MCP is not allowed for this session;"
        + " the operator enables it with "
        + setting;
  }

  private static McpSchema.JSONRPCResponse refusal(
      McpSchema.JSONRPCRequest r, String tool, String setting) {
    return McpSchema.JSONRPCResponse.error(
        r.id(),
        new McpSchema.JSONRPCResponse.JSONRPCError(
            McpSchema.ErrorCodes.INVALID_PARAMS,
            message(tool, setting),
            Map.of("kind", "forbidden", "setting", setting, "tool", tool)));
  }

  /** Returns the run-tool name a request calls, or null when it calls none of {@code names}. */
  private static String refused(McpSchema.JSONRPCMessage m, Set<String> names) {
    if (m instanceof McpSchema.JSONRPCRequest r
        && "tools/call".equals(r.method())
        && r.params() instanceof Map<?, ?> p
        && p.get("name") instanceof String name
        && names.contains(name)) {
      return name;
    }
    return null;
  }

  /** Wraps the stdio provider. */
  static McpServerTransportProvider stdio(
      StdioServerTransportProvider delegate, Set<String> runTools, String setting) {
    return new McpServerTransportProvider() {
      @Override
      public void setSessionFactory(McpServerSession.Factory f) {
        delegate.setSessionFactory(
            transport -> new Session(f.create(transport), transport, runTools, setting));
      }

      @Override
      public Mono<Void> notifyClients(String method, Object params) {
        return delegate.notifyClients(method, params);
      }

      @Override
      public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
      }

      @Override
      public void close() {
        delegate.close();
      }

      @Override
      public List<String> protocolVersions() {
        return delegate.protocolVersions();
      }
    };
  }

  /** Wraps the Streamable HTTP provider (the servlet itself is still {@code delegate}). */
  static McpStreamableServerTransportProvider streamable(
      HttpServletStreamableServerTransportProvider delegate, Set<String> runTools, String setting) {
    return new McpStreamableServerTransportProvider() {
      @Override
      public void setSessionFactory(McpStreamableServerSession.Factory f) {
        delegate.setSessionFactory(
            init -> {
              var real = f.startSession(init);
              return new McpStreamableServerSession.McpStreamableServerSessionInit(
                  new StreamSession(real.session(), init, runTools, setting), real.initResult());
            });
      }

      @Override
      public Mono<Void> notifyClients(String method, Object params) {
        return delegate.notifyClients(method, params);
      }

      @Override
      public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return delegate.notifyClient(sessionId, method, params);
      }

      @Override
      public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
      }

      @Override
      public void close() {
        delegate.close();
      }

      @Override
      public List<String> protocolVersions() {
        return delegate.protocolVersions();
      }
    };
  }

  private static final class Session extends McpServerSession {
    private final McpServerSession real;
    private final McpServerTransport transport;
    private final Set<String> names;
    private final String setting;

    Session(McpServerSession real, McpServerTransport t, Set<String> names, String setting) {
      super(
          real.getId(),
          Duration.ofSeconds(10),
          t,
          init -> Mono.error(new IllegalStateException("not used")),
          Map.of(),
          Map.of());
      this.real = real;
      this.transport = t;
      this.names = names;
      this.setting = setting;
    }

    @Override
    public Mono<Void> handle(McpSchema.JSONRPCMessage m) {
      String tool = refused(m, names);
      if (tool != null) {
        return transport.sendMessage(refusal((McpSchema.JSONRPCRequest) m, tool, setting));
      }
      return real.handle(m);
    }

    @Override
    public String getId() {
      return real.getId();
    }

    @Override
    public void init(McpSchema.ClientCapabilities c, McpSchema.Implementation i) {
      real.init(c, i);
    }

    @Override
    public void setMinLoggingLevel(McpSchema.LoggingLevel level) {
      real.setMinLoggingLevel(level);
    }

    @Override
    public boolean isNotificationForLevelAllowed(McpSchema.LoggingLevel level) {
      return real.isNotificationForLevelAllowed(level);
    }

    @Override
    public <T> Mono<T> sendRequest(String method, Object params, TypeRef<T> type) {
      return real.sendRequest(method, params, type);
    }

    @Override
    public Mono<Void> sendNotification(String method, Object params) {
      return real.sendNotification(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return real.closeGracefully();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  private static final class StreamSession extends McpStreamableServerSession {
    private final McpStreamableServerSession real;
    private final Set<String> names;
    private final String setting;

    StreamSession(
        McpStreamableServerSession real,
        McpSchema.InitializeRequest init,
        Set<String> names,
        String setting) {
      super(
          real.getId(),
          init.capabilities(),
          init.clientInfo(),
          Duration.ofSeconds(10),
          Map.of(),
          Map.of());
      this.real = real;
      this.names = names;
      this.setting = setting;
    }

    @Override
    public Mono<Void> responseStream(
        McpSchema.JSONRPCRequest r, McpStreamableServerTransport transport) {
      String tool = refused(r, names);
      if (tool != null) {
        return transport.sendMessage(refusal(r, tool, setting)).then(transport.closeGracefully());
      }
      return real.responseStream(r, transport);
    }

    @Override
    public String getId() {
      return real.getId();
    }

    @Override
    public void setMinLoggingLevel(McpSchema.LoggingLevel level) {
      real.setMinLoggingLevel(level);
    }

    @Override
    public boolean isNotificationForLevelAllowed(McpSchema.LoggingLevel level) {
      return real.isNotificationForLevelAllowed(level);
    }

    @Override
    public <T> Mono<T> sendRequest(String method, Object params, TypeRef<T> type) {
      return real.sendRequest(method, params, type);
    }

    @Override
    public Mono<Void> sendNotification(String method, Object params) {
      return real.sendNotification(method, params);
    }

    @Override
    public Mono<Void> delete() {
      return real.delete();
    }

    @Override
    public McpStreamableServerSessionStream listeningStream(
        McpStreamableServerTransport transport) {
      return real.listeningStream(transport);
    }

    @Override
    public Flux<McpSchema.JSONRPCMessage> replay(Object lastEventId) {
      return real.replay(lastEventId);
    }

    @Override
    public Mono<Void> accept(McpSchema.JSONRPCNotification n) {
      return real.accept(n);
    }

    @Override
    public Mono<Void> accept(McpSchema.JSONRPCResponse r) {
      return real.accept(r);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return real.closeGracefully();
    }

    @Override
    public void close() {
      real.close();
    }
  }
}
