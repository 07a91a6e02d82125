package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.Backend;
import java.nio.file.Path;
import java.util.List;

/**
 * How a {@link GatewayServer} listens and where it keeps its state.
 *
 * @param port TCP port; 0 picks a free one
 * @param bind address to bind, {@code 127.0.0.1} by default (loopback only)
 * @param stateDir the state directory
 * @param registry the tool registry YAML file
 * @param tokens the token file, {@code <state>/tokens/tokens} by default
 * @param limits a limits policy properties file, or null for the built-in policy
 * @param concurrency runs executed at once (default: CPU cores)
 * @param queue runs waiting at most (default 64)
 * @param maxBodyBytes largest request body of {@code POST /runs}, bytes
 * @param maxInputBytes largest upload of {@code POST /inputs} and inline input, bytes
 * @param tlsKeystore a PKCS#12 keystore enabling TLS, or null for plain HTTP
 * @param tlsPasswordFile file holding the keystore password (first line), or null
 * @param secretsDir an operator directory of tenants' secrets ({@code <dir>/<tenant>/<NAME>}, e.g.
 *     a mounted secrets volume) read beside {@code <state>/secrets/}, or null
 * @param database a PostgreSQL URL ({@code postgresql://…} or {@code jdbc:postgresql://…}) holding
 *     runs and the ledger instead of the state directory's SQLite files, or null for SQLite
 * @param migrate whether pending migrations of {@code database} may be applied at start
 *     (docs/STORAGE.md)
 * @param nodeId this node's id among the nodes sharing {@code database}, or null for the one kept
 *     in {@code <state>/node-id} (docs/STORAGE.md, "Nodes")
 * @param nodeLeaseMs how long after its last heartbeat this node counts as live, milliseconds
 *     (default {@value #DEFAULT_NODE_LEASE_MS}); used with {@code database} only
 * @param contentDir the content directory ({@code --content-dir}) shared by the nodes of one
 *     database, e.g. an NFS mount: inputs by digest and the runs' logs and artifacts, so that every
 *     node answers for every run; null for {@code <state>/cas} and {@code <state>/runs}
 *     (docs/STORAGE.md, "Nodes")
 */
public record ServerOptions(
    int port,
    String bind,
    Path stateDir,
    Path registry,
    Path tokens,
    Path limits,
    int concurrency,
    int queue,
    long maxBodyBytes,
    long maxInputBytes,
    Path tlsKeystore,
    Path tlsPasswordFile,
    Path secretsDir,
    String database,
    boolean migrate,
    String nodeId,
    long nodeLeaseMs,
    Path contentDir) {
  /** The default node lease, milliseconds. */
  public static final long DEFAULT_NODE_LEASE_MS = Backend.Database.DEFAULT_NODE_LEASE_MS;

  /** Options with the state directory's own content store and run directories. */
  public ServerOptions(
      int port,
      String bind,
      Path stateDir,
      Path registry,
      Path tokens,
      Path limits,
      int concurrency,
      int queue,
      long maxBodyBytes,
      long maxInputBytes,
      Path tlsKeystore,
      Path tlsPasswordFile,
      Path secretsDir,
      String database,
      boolean migrate,
      String nodeId,
      long nodeLeaseMs) {
    this(
        port,
        bind,
        stateDir,
        registry,
        tokens,
        limits,
        concurrency,
        queue,
        maxBodyBytes,
        maxInputBytes,
        tlsKeystore,
        tlsPasswordFile,
        secretsDir,
        database,
        migrate,
        nodeId,
        nodeLeaseMs,
        null);
  }

  /** Options with the default node id and lease. */
  public ServerOptions(
      int port,
      String bind,
      Path stateDir,
      Path registry,
      Path tokens,
      Path limits,
      int concurrency,
      int queue,
      long maxBodyBytes,
      long maxInputBytes,
      Path tlsKeystore,
      Path tlsPasswordFile,
      Path secretsDir,
      String database,
      boolean migrate) {
    this(
        port,
        bind,
        stateDir,
        registry,
        tokens,
        limits,
        concurrency,
        queue,
        maxBodyBytes,
        maxInputBytes,
        tlsKeystore,
        tlsPasswordFile,
        secretsDir,
        database,
        migrate,
        null,
        DEFAULT_NODE_LEASE_MS,
        null);
  }

  /** Options on the embedded SQLite state. */
  public ServerOptions(
      int port,
      String bind,
      Path stateDir,
      Path registry,
      Path tokens,
      Path limits,
      int concurrency,
      int queue,
      long maxBodyBytes,
      long maxInputBytes,
      Path tlsKeystore,
      Path tlsPasswordFile,
      Path secretsDir) {
    this(
        port,
        bind,
        stateDir,
        registry,
        tokens,
        limits,
        concurrency,
        queue,
        maxBodyBytes,
        maxInputBytes,
        tlsKeystore,
        tlsPasswordFile,
        secretsDir,
        null,
        false);
  }

  /** Options without an operator secrets directory. */
  public ServerOptions(
      int port,
      String bind,
      Path stateDir,
      Path registry,
      Path tokens,
      Path limits,
      int concurrency,
      int queue,
      long maxBodyBytes,
      long maxInputBytes,
      Path tlsKeystore,
      Path tlsPasswordFile) {
    this(
        port,
        bind,
        stateDir,
        registry,
        tokens,
        limits,
        concurrency,
        queue,
        maxBodyBytes,
        maxInputBytes,
        tlsKeystore,
        tlsPasswordFile,
        null);
  }

  /** The usage line. */
  public static final String USAGE =
      "usage: serve --state-dir DIR [--port N] [--bind ADDR] [--registry FILE] [--tokens FILE]"
          + " [--limits FILE] [--concurrency N] [--queue N] [--max-body BYTES]"
          + " [--max-input BYTES] [--tls-keystore FILE --tls-password-file FILE]"
          + " [--secrets-dir DIR] [--database URL [--migrate] [--node-id ID] [--node-lease DURATION]]"
          + " [--content-dir DIR]";

  /**
   * Parses command-line options; the registry defaults to {@code registry/tools.yaml} under {@code
   * quackrunner.home} (or the working directory).
   *
   * @throws RunnerException of kind USAGE for an unknown option or bad value
   */
  public static ServerOptions parse(List<String> args) {
    int port = 8080;
    String bind = "127.0.0.1";
    Path state = null;
    Path registry = null;
    Path tokens = null;
    Path limits = null;
    int concurrency = Runtime.getRuntime().availableProcessors();
    int queue = 64;
    long maxBody = 16L << 20;
    long maxInput = 64L << 20;
    Path ks = null;
    Path pw = null;
    Path secretsDir = null;
    String database = null;
    boolean migrate = false;
    String nodeId = null;
    String nodeLease = null;
    Path contentDir = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--migrate")) {
        migrate = true;
        continue;
      }
      String v = i + 1 < args.size() ? args.get(i + 1) : null;
      if (v == null && !a.equals("--help")) {
        throw new RunnerException(ErrorKind.USAGE, "option " + a + " needs a value; " + USAGE);
      }
      switch (a) {
        case "--port" -> port = integer(a, v, 0, 65535);
        case "--bind" -> bind = v;
        case "--state-dir" -> state = Path.of(v);
        case "--registry" -> registry = Path.of(v);
        case "--tokens" -> tokens = Path.of(v);
        case "--limits" -> limits = Path.of(v);
        case "--concurrency" -> concurrency = integer(a, v, 1, 1024);
        case "--queue" -> queue = integer(a, v, 0, 1_000_000);
        case "--max-body" -> maxBody = io.quackrunner.limits.Units.parseBytes(v);
        case "--max-input" -> maxInput = io.quackrunner.limits.Units.parseBytes(v);
        case "--tls-keystore" -> ks = Path.of(v);
        case "--tls-password-file" -> pw = Path.of(v);
        case "--secrets-dir" -> secretsDir = Path.of(v);
        case "--database" -> database = v;
        case "--node-id" -> nodeId = v;
        case "--node-lease" -> nodeLease = v;
        case "--content-dir" -> contentDir = Path.of(v);
        default -> throw new RunnerException(ErrorKind.USAGE, "unknown option " + a + "; " + USAGE);
      }
      i++;
    }
    if (state == null) {
      throw new RunnerException(ErrorKind.USAGE, "--state-dir is required; " + USAGE);
    }
    Backend.Database db = Backend.Database.of(database, migrate, nodeId, nodeLease);
    if ((ks == null) != (pw == null)) {
      throw new RunnerException(
          ErrorKind.USAGE, "--tls-keystore and --tls-password-file go together");
    }
    if (registry == null) {
      registry =
          Path.of(System.getProperty("quackrunner.home", ".")).resolve("registry/tools.yaml");
    }
    if (tokens == null) {
      tokens = state.resolve("tokens").resolve("tokens");
    }
    return new ServerOptions(
        port,
        bind,
        state,
        registry,
        tokens,
        limits,
        concurrency,
        queue,
        maxBody,
        maxInput,
        ks,
        pw,
        secretsDir,
        db.url(),
        db.migrate(),
        db.nodeId(),
        db.url() == null ? DEFAULT_NODE_LEASE_MS : db.nodeLeaseMs(),
        contentDir);
  }

  private static int integer(String opt, String v, int min, int max) {
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RunnerException(
          ErrorKind.USAGE, opt + " needs an integer from " + min + " to " + max + ", not " + v);
    }
  }
}
