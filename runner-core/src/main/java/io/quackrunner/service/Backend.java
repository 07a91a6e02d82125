package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.limits.Units;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.store.NodeLease;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunStore;
import io.quackrunner.store.Schema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Where a front-end keeps its state (docs/STORAGE.md): the state directory's SQLite files, or a
 * shared PostgreSQL database in which this process is one node. {@code runner serve}, {@code runner
 * exec}, {@code runner mcp} and the Temporal worker all open their state here, so the choice, its
 * checks and its errors are the same for every front-end.
 *
 * <p>With a database, runs, idempotency and trigger claims, the callback outbox, node membership
 * and the ledger are in it; the signing key ring, the token file, content and images stay in the
 * state directory. The process registers as a node (its id from {@code --node-id} or {@code
 * <stateDir>/node-id}) when the {@link RunService} built on {@link #runStores} and {@link #nodes}
 * opens, and retires when it closes.
 *
 * @param receiptLog the key ring and the ledger receipts are appended to; closed by {@link #close}
 * @param runStores opens the run store (call it once, while {@code receiptLog} is open: on
 *     PostgreSQL it shares the ledger's pool)
 * @param nodes the membership: {@link NodeRegistry#local()} for SQLite, a shared node otherwise
 */
public record Backend(ReceiptLog receiptLog, Supplier<RunStore> runStores, NodeRegistry nodes)
    implements AutoCloseable {

  /**
   * The database a front-end was pointed at.
   *
   * @param url a PostgreSQL URL ({@code postgresql://…}, {@code postgres://…} or {@code
   *     jdbc:postgresql://…}), or null for the state directory's SQLite files
   * @param migrate whether pending migrations may be applied (otherwise they refuse the start)
   * @param nodeId this process's node id, or null for the one kept in {@code <stateDir>/node-id}
   * @param nodeLeaseMs how long after its last heartbeat the node counts as live, milliseconds
   */
  public record Database(String url, boolean migrate, String nodeId, long nodeLeaseMs) {
    /** The state directory's SQLite files. */
    public static final Database EMBEDDED = new Database(null, false, null, 0);

    /** The default node lease: 10 s. */
    public static final long DEFAULT_NODE_LEASE_MS = 10_000;

    /**
     * Checks the options every front-end takes ({@code --database URL [--migrate] [--node-id ID]
     * [--node-lease DURATION]}, docs/STORAGE.md) and returns them.
     *
     * @param url the {@code --database} value, or null
     * @param nodeId the {@code --node-id} value, or null
     * @param nodeLease the {@code --node-lease} value ({@code 10s}, {@code 500ms}, …), or null
     * @throws RunnerException of kind USAGE for {@code --migrate}, {@code --node-id} or {@code
     *     --node-lease} without {@code --database}, a bad node id, or a lease under {@value
     *     NodeRegistry#MIN_LEASE_MS} ms
     */
    public static Database of(String url, boolean migrate, String nodeId, String nodeLease) {
      if (nodeId != null) {
        NodeLease.checkId(nodeId); // a bad id is named as such, with or without --database
      }
      if (migrate && url == null) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "--migrate applies to --database only (the state directory's SQLite files are"
                + " migrated at every start)");
      }
      if ((nodeId != null || nodeLease != null) && url == null) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "--node-id and --node-lease apply to --database only (a state directory is one node)");
      }
      if (url == null) {
        return EMBEDDED;
      }
      long lease = nodeLease == null ? DEFAULT_NODE_LEASE_MS : Units.parseDurationMs(nodeLease);
      if (lease < NodeRegistry.MIN_LEASE_MS) {
        throw new RunnerException(
            ErrorKind.USAGE, "--node-lease is at least " + NodeRegistry.MIN_LEASE_MS + " ms");
      }
      return new Database(url, migrate, nodeId, lease);
    }
  }

  /**
   * Opens the state of {@code stateDir}, in {@code db}'s database when it names one.
   *
   * @param poolSize connections of the PostgreSQL pool (ignored for SQLite)
   * @param frontEnd null for {@code runner serve}, whose default node id is the one kept in {@code
   *     <stateDir>/node-id}; else a short name ({@code exec}, {@code mcp}, {@code temporal}) that
   *     makes the default id {@code <that id>.<frontEnd>-<pid>}, so the processes of one host never
   *     share an id (a start bumps its id's epoch, which would fence the other process)
   * @throws io.quackrunner.errors.RunnerException of kind USAGE (a malformed URL, a bad node id or
   *     lease), UNAVAILABLE (the server cannot be reached), UNAUTHENTICATED (login refused),
   *     CONFIGURATION (no such database, a bad key ring or ledger origin) or SCHEMA_MISMATCH
   *     (pending migrations without {@code migrate}, or a schema newer than this runner) — never a
   *     fallback to SQLite
   */
  public static Backend open(Path stateDir, Database db, int poolSize, String frontEnd) {
    Path state = stateDir.toAbsolutePath();
    if (db.url() == null) {
      return new Backend(
          ReceiptLog.open(state),
          () -> RunStore.open(state.resolve("runs.db")),
          NodeRegistry.local());
    }
    try (PostgresDatabase pg =
        PostgresDatabase.open(
            db.url(),
            db.migrate() ? Schema.Policy.MIGRATE : Schema.Policy.REFUSE_PENDING,
            poolSize)) {
      PostgresLedgerStore ledger = PostgresLedgerStore.open(pg);
      ReceiptLog log = ReceiptLog.open(state, ledger);
      try {
        VerifierKey key = log.keys().active().verifierKey();
        NodeRegistry nodes =
            NodeRegistry.shared(
                    db.nodeId() != null ? db.nodeId() : defaultId(state, frontEnd),
                    Duration.ofMillis(db.nodeLeaseMs()),
                    key.keyId(),
                    Base64.getEncoder().encodeToString(key.publicKey()))
                .alsoFence(ledger::fence);
        // The ledger holds a share of the pool until the log closes, and each run store takes
        // its own, so the pool outlives this opener's share.
        return new Backend(log, () -> PostgresRunStore.open(pg), nodes);
      } catch (RuntimeException e) {
        log.close();
        throw e;
      }
    }
  }

  private static String defaultId(Path state, String frontEnd) {
    String id = NodeRegistry.defaultId(state);
    return frontEnd == null
        ? id
        : NodeLease.checkId(id + "." + frontEnd + "-" + ProcessHandle.current().pid());
  }

  /** Returns whether the state is in a shared database. */
  public boolean isShared() {
    return nodes.isShared();
  }

  /** Closes the receipt log (on PostgreSQL the ledger's share of the pool with it). */
  @Override
  public void close() {
    receiptLog.close();
  }
}
