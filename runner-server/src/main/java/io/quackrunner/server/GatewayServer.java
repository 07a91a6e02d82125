package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.service.Backend;
import io.quackrunner.service.JsonLog;
import io.quackrunner.service.LedgerReceiptIssuer;
import io.quackrunner.service.NodeRegistry;
import io.quackrunner.service.ReceiptIssuer;
import io.quackrunner.service.RunService;
import io.quackrunner.service.ServiceConfig;
import io.quackrunner.store.RunStore;
import io.quackrunner.tools.ToolRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The QuackRunner HTTP gateway: a Jetty 12 server exposing {@link RunService} as the JSON API
 * described by {@code /openapi.json}.
 *
 * <p>On start it validates the tool registry (refusing to start on a bad file), creates an admin
 * token on first start, recovers runs left by a previous process, and binds loopback unless told
 * otherwise.
 */
public final class GatewayServer implements AutoCloseable {
  private final Server jetty;
  private final RunService service;
  private final ServerConnector connector;
  private final Path adminToken;
  private final boolean tls;
  private ReceiptLog receiptLog;
  private JettyCallbackTransport callbacks;

  private GatewayServer(
      Server jetty, RunService service, ServerConnector connector, Path adminToken, boolean tls) {
    this.jetty = jetty;
    this.service = service;
    this.connector = connector;
    this.adminToken = adminToken;
    this.tls = tls;
  }

  /**
   * Starts a server whose receipts are signed with the state directory's key ring and appended to
   * its ledger ({@link ReceiptLog}); see {@link #start(ServerOptions, ReceiptIssuer,
   * LedgerAccess)}.
   */
  public static GatewayServer start(ServerOptions o) {
    Backend backend =
        Backend.open(
            o.stateDir(),
            new Backend.Database(o.database(), o.migrate(), o.nodeId(), o.nodeLeaseMs()),
            Math.max(4, o.concurrency() + 2),
            null);
    ReceiptLog log = backend.receiptLog();
    try {
      GatewayServer g =
          start(
              o,
              new LedgerReceiptIssuer(log),
              new LedgerEndpoints(log.ledger(), log.keys(), () -> backend.nodes().nodeStore()),
              log,
              backend.runStores(),
              backend.nodes());
      g.receiptLog = log;
      return g;
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * Starts a server.
   *
   * @param o options
   * @param receipts the receipt issuer ({@link ReceiptIssuer#NONE} for none)
   * @param ledger the ledger behind {@code /ledger/*}, or null (those endpoints then answer 503)
   * @throws RunnerException of kind CONFIGURATION (bad registry, token file, limits, TLS) or
   *     ISOLATION_UNAVAILABLE (no sandbox), or INTERNAL when the port cannot be bound
   */
  public static GatewayServer start(ServerOptions o, ReceiptIssuer receipts, LedgerAccess ledger) {
    return start(o, receipts, ledger, null, null, NodeRegistry.local());
  }

  /** Starts a server whose MCP {@code verify_receipt} checks against {@code log} (or none). */
  static GatewayServer start(
      ServerOptions o,
      ReceiptIssuer receipts,
      LedgerAccess ledger,
      ReceiptLog log,
      java.util.function.Supplier<io.quackrunner.store.RunStore> store,
      NodeRegistry nodes) {
    ToolRegistry registry = ToolRegistry.load(o.registry(), RuntimeProfiles.builtIn().ids());
    java.util.List<String> missing =
        io.quackrunner.tools.RunnerGate.missing(
            registry,
            io.quackrunner.images.ImageStore.open(o.stateDir()),
            RuntimeProfiles.builtIn());
    if (!missing.isEmpty()) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION,
          o.registry() + ": " + String.join("; ", missing) + " (docs/IMAGES.md)");
    }
    LimitsPolicy policy =
        o.limits() == null ? LimitsPolicy.builtIn() : LimitsPolicy.load(o.limits());
    Path admin = null;
    if (!Files.exists(o.tokens())) {
      admin = firstAdminToken(o);
    }
    TokenStore tokens = TokenStore.load(o.tokens());
    JettyCallbackTransport callbacks = null;
    RunService service =
        RunService.open(
            new ServiceConfig(o.stateDir(), o.concurrency(), o.queue(), o.contentDir()),
            registry,
            policy,
            receipts,
            store != null
                ? store
                : () -> RunStore.open(o.stateDir().toAbsolutePath().resolve("runs.db")),
            nodes);
    try {
      service.secretsDirectory(o.secretsDir());
      Metrics metrics = new Metrics(service);
      service.events(metrics);
      callbacks = new JettyCallbackTransport();
      service.deliverCallbacks(callbacks, metrics);
      service.recover();
      QueuedThreadPool pool = new QueuedThreadPool();
      pool.setName("http");
      pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
      Server jetty = new Server(pool);
      HttpConfiguration hc = new HttpConfiguration();
      hc.setSendServerVersion(false);
      hc.setSendXPoweredBy(false);
      hc.setRequestHeaderSize(16 * 1024);
      // "%25" in a path is how a '%' in an artifact name is written and "%2F" how a generated
      // client sends the '/' inside an artifact path (RFC 3986 §2.4); the API decodes each
      // segment once itself and looks artifacts up in the run's record, so neither is ambiguous.
      hc.setUriCompliance(
          UriCompliance.DEFAULT.with(
              "QUACKRUNNER",
              UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
              UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
      ServerConnector c;
      boolean tls = o.tlsKeystore() != null;
      if (tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(o.tlsKeystore().toString());
        ssl.setKeyStorePassword(
            Files.readAllLines(o.tlsPasswordFile(), StandardCharsets.UTF_8).get(0).strip());
        hc.addCustomizer(new SecureRequestCustomizer());
        c = new ServerConnector(jetty, ssl, new HttpConnectionFactory(hc));
      } else {
        c = new ServerConnector(jetty, new HttpConnectionFactory(hc));
      }
      c.setHost(o.bind());
      c.setPort(o.port());
      jetty.addConnector(c);
      // MCP over Streamable HTTP at /mcp (docs/MCP.md); every other path is the JSON API.
      jetty.setHandler(
          new org.eclipse.jetty.server.Handler.Sequence(
              new McpServlet(service, tokens, log, ledger, o.maxInputBytes()).context(),
              new Api(service, tokens, o, metrics, ledger)));
      jetty.setErrorHandler(new ProblemErrorHandler());
      jetty.start();
      GatewayServer g = new GatewayServer(jetty, service, c, admin, tls);
      g.callbacks = callbacks;
      String favorDynmods = HostProbe.favorDynmods(Path.of("/proc/self/mountinfo"));
      JsonLog.info(
          "server.started",
          "url",
          g.uri().toString(),
          "state_dir",
          o.stateDir().toString(),
          "cgroup_favordynmods",
          favorDynmods);
      warnWithoutFavorDynmods(favorDynmods);
      return g;
    } catch (RunnerException e) {
      service.close();
      closeQuietly(callbacks);
      throw e;
    } catch (Exception e) {
      service.close();
      closeQuietly(callbacks);
      throw new RunnerException(ErrorKind.INTERNAL, "cannot start the HTTP server: " + e, e);
    }
  }

  /**
   * Logs {@code host.cgroup_favordynmods_off} (warn) when {@code state} ({@link
   * HostProbe#favorDynmods}) is {@code off}: runs are correct, but each one waits for an RCU grace
   * period when its sandbox joins its cgroup, about 10 ms on a host idle between runs
   * (docs/SANDBOX.md, "Joining a slot").
   */
  static void warnWithoutFavorDynmods(String state) {
    if (state.equals("off")) {
      JsonLog.warn(
          "host.cgroup_favordynmods_off",
          "detail",
          "each run's cgroup join waits for an RCU grace period (about 10 ms on an idle host);"
              + " bin/cgroup-favordynmods turns the kernel option on (docs/SANDBOX.md)");
    }
  }

  private static Path firstAdminToken(ServerOptions o) {
    Path file = o.stateDir().resolve("tokens").resolve("admin.token");
    try {
      Files.createDirectories(file.getParent());
      Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
      String token = TokenStore.issue(o.tokens(), "admin");
      // Replaced by one rename, so a client reading it never sees it empty or half-written.
      io.quackrunner.store.StateFiles.replace(
          file,
          (token + "\n").getBytes(StandardCharsets.UTF_8),
          io.quackrunner.store.StateFiles.OWNER_ONLY);
      return file;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot write " + file + ": " + e);
    }
  }

  /** Returns the bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Returns the base URI, e.g. {@code http://127.0.0.1:8080}. */
  public URI uri() {
    String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create((tls ? "https://" : "http://") + host + ":" + port());
  }

  /** Returns the file the first-start admin token was written to, or null when none was made. */
  public Path adminTokenFile() {
    return adminToken;
  }

  /** Returns the engine behind the API. */
  public RunService service() {
    return service;
  }

  /** Blocks until the server stops. */
  public void join() throws InterruptedException {
    jetty.join();
  }

  /** Stops accepting requests, then closes the run service (queued runs stay queued). */
  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      JsonLog.warn("server.stop_failed", "detail", String.valueOf(e));
    }
    service.close();
    closeQuietly(callbacks);
    if (receiptLog != null) {
      receiptLog.close();
    }
  }

  private static void closeQuietly(JettyCallbackTransport t) {
    if (t != null) {
      t.close();
    }
  }
}
