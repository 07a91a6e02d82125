package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.NodeFenced;
import io.quackrunner.store.NodeLease;
import io.quackrunner.store.RunStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This process's membership among the nodes sharing a run store (docs/STORAGE.md, "Nodes"): who
 * owns the runs it claims, and whether the owner of another run is alive.
 *
 * <ul>
 *   <li>{@link #local()} (the embedded SQLite state directory): the node is this host and always
 *       live; a run's owner is this process, {@code <pid>:<start millis>}, and it is alive while
 *       that process runs ({@link Owner}).
 *   <li>{@link #shared} (PostgreSQL): at {@link #join} the node registers a new epoch in the {@code
 *       nodes} table and owns its runs as {@code node:<id>:<epoch>}; a scheduled thread heartbeats
 *       every lease/3 and declares dead every node whose lease lapsed by the database's clock, then
 *       has the service recover their runs. A node whose own heartbeat is refused was declared dead
 *       (or restarted elsewhere): it is fenced, its writes are refused by the store, and it stops
 *       accepting work.
 * </ul>
 */
public final class NodeRegistry implements AutoCloseable {
  /** The shortest lease accepted, in milliseconds. */
  public static final long MIN_LEASE_MS = 300;

  private final String nodeId;
  private final long leaseMs;
  private final String keyId;
  private final String publicKey;
  private final List<Consumer<NodeLease>> fences = new CopyOnWriteArrayList<>();
  private final Set<NodeLease> live = ConcurrentHashMap.newKeySet();
  private volatile RunStore store;
  private volatile NodeLease lease;
  private volatile boolean fenced;
  private ScheduledExecutorService beat;

  /** System.nanoTime() of the first good tick after a failed one; 0 while none failed. */
  private long reconnectedAt;

  private boolean lastTickFailed;

  private NodeRegistry(String nodeId, long leaseMs, String keyId, String publicKey) {
    this.nodeId = nodeId;
    this.leaseMs = leaseMs;
    this.keyId = keyId;
    this.publicKey = publicKey;
  }

  /** Returns the membership of the embedded store: this process, always live. */
  public static NodeRegistry local() {
    return new NodeRegistry(null, 0, null, null);
  }

  /**
   * Returns the membership of a node in a shared store; nothing is written until {@link #join}.
   *
   * @param nodeId the node's id, {@code [A-Za-z0-9._-]{1,64}}, stable across its restarts
   * @param lease how long after its last heartbeat the node counts as live, at least {@value
   *     #MIN_LEASE_MS} ms
   * @param keyId the id of the node's receipt signing key, or null
   * @param publicKey the key's Ed25519 public key, base64, or null
   * @throws RunnerException of kind USAGE for a bad id or lease
   */
  public static NodeRegistry shared(String nodeId, Duration lease, String keyId, String publicKey) {
    NodeLease.checkId(nodeId);
    if (lease == null || lease.toMillis() < MIN_LEASE_MS) {
      throw new RunnerException(
          ErrorKind.USAGE, "a node lease is at least " + MIN_LEASE_MS + " ms, not " + lease);
    }
    return new NodeRegistry(nodeId, lease.toMillis(), keyId, publicKey);
  }

  /**
   * Returns the node id kept in {@code <stateDir>/node-id}, writing {@code node-<8 random hex>}
   * there on first use (atomically: processes opening the directory at once all read the first
   * one).
   *
   * @throws RunnerException of kind CONFIGURATION when the file cannot be read or written or holds
   *     no valid id
   */
  public static String defaultId(java.nio.file.Path stateDir) {
    java.nio.file.Path file = stateDir.resolve("node-id");
    try {
      if (!java.nio.file.Files.exists(file)) {
        byte[] r = new byte[4];
        new java.security.SecureRandom().nextBytes(r);
        io.quackrunner.store.StateFiles.createOnce(
            file,
            ("node-" + java.util.HexFormat.of().formatHex(r) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
      String id = java.nio.file.Files.readString(file).strip();
      try {
        return NodeLease.checkId(id);
      } catch (RunnerException e) {
        throw new RunnerException(ErrorKind.CONFIGURATION, file + ": " + e.getMessage());
      }
    } catch (java.io.IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot use " + file + ": " + e);
    }
  }

  /**
   * Has {@code f} called with this node's lease when it joins (e.g. to fence a ledger store in the
   * same database); call before {@link #join}.
   */
  public NodeRegistry alsoFence(Consumer<NodeLease> f) {
    fences.add(f);
    return this;
  }

  /** Returns whether this is the membership of a shared store. */
  public boolean isShared() {
    return nodeId != null;
  }

  /**
   * Joins: on a shared store registers a new epoch and fences the store's writes with it.
   *
   * @return the owner value of the runs this process claims
   */
  String join(RunStore store) {
    this.store = store;
    if (!isShared()) {
      return Owner.self();
    }
    NodeLease l = store.nodes().register(nodeId, leaseMs, keyId, publicKey);
    this.lease = l;
    store.fence(l);
    fences.forEach(f -> f.accept(l));
    live.add(l);
    JsonLog.info("node.joined", "node", nodeId, "epoch", l.epoch(), "lease_ms", leaseMs);
    return l.owner();
  }

  /**
   * Starts the heartbeat of a shared node: every lease/3 it renews its lease, declares dead the
   * nodes whose lease lapsed, refreshes its view of the live nodes and calls {@code sweep} (which
   * recovers the runs of dead nodes); when its own lease is refused it calls {@code onFenced} once
   * and stops. A tick that fails (database unreachable) is logged and skipped; after one, no node
   * is declared dead until this one has been reconnected for a full lease, since every node's
   * heartbeat is then stale by the outage. Does nothing for the local store.
   */
  void start(Runnable sweep, Runnable onFenced) {
    if (!isShared()) {
      return;
    }
    long period = Math.max(1, leaseMs / 3);
    beat =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("node-heartbeat").daemon(true).factory());
    beat.scheduleWithFixedDelay(() -> tick(sweep, onFenced), period, period, TimeUnit.MILLISECONDS);
  }

  private void tick(Runnable sweep, Runnable onFenced) {
    if (fenced) {
      return;
    }
    try {
      if (!store.nodes().heartbeat(lease)) {
        fence(onFenced);
        return;
      }
      if (lastTickFailed) {
        lastTickFailed = false;
        reconnectedAt = System.nanoTime();
        JsonLog.info("node.reconnected", "node", nodeId);
      }
      // After an outage every node's heartbeat_at is old by the outage's length: declaring
      // deaths waits until each live node has had a full lease to beat again.
      List<NodeLease> dead =
          reconnectedAt != 0 && System.nanoTime() - reconnectedAt < leaseMs * 1_000_000
              ? List.of()
              : store.nodes().declareDead();
      for (NodeLease d : dead) {
        JsonLog.warn("node.declared_dead", "node", d.nodeId(), "epoch", d.epoch(), "by", nodeId);
      }
      refresh();
      sweep.run();
    } catch (NodeFenced e) {
      fence(onFenced);
    } catch (RuntimeException e) {
      // The database may be unreachable for a moment; the lease tolerates missed beats.
      lastTickFailed = true;
      JsonLog.warn("node.heartbeat_failed", "node", nodeId, "detail", e.getMessage());
    }
  }

  private void fence(Runnable onFenced) {
    if (fenced) {
      return;
    }
    fenced = true;
    JsonLog.warn("node.fenced", "node", nodeId, "epoch", lease.epoch());
    onFenced.run();
  }

  private void refresh() {
    List<NodeLease> now = store.nodes().liveLeases();
    live.retainAll(now);
    live.addAll(now);
  }

  /** Returns whether this node was fenced (its lease refused); always false for the local store. */
  boolean fenced() {
    return fenced;
  }

  /**
   * Refuses work on a fenced node.
   *
   * @throws NodeFenced when this node is fenced
   */
  void checkLive(String what) {
    if (fenced) {
      throw new NodeFenced(lease, what);
    }
  }

  /**
   * Returns the node store of the run store this process joined ({@code node_keys}, {@code nodes}),
   * or null before {@link #join}.
   */
  public io.quackrunner.store.NodeStore nodeStore() {
    RunStore s = store;
    return s == null ? null : s.nodes();
  }

  /** Returns this node's lease, or null for the local store or before {@link #join}. */
  public NodeLease lease() {
    return lease;
  }

  /**
   * Returns whether the owner of a run is alive: a node start whose row is live (its lease
   * unexpired or not yet declared dead), or a local process that still runs.
   */
  boolean alive(String owner) {
    if (io.quackrunner.store.SharedQueue.UNCLAIMED.equals(owner)) {
      return true; // waiting in the shared queue: no owner to recover it from
    }
    var l = NodeLease.ofOwner(owner);
    if (l.isEmpty()) {
      return Owner.alive(owner);
    }
    if (l.get().equals(lease)) {
      return !fenced;
    }
    if (live.contains(l.get())) {
      return true;
    }
    // A node that joined since the last refresh is not in the view yet: ask the database.
    if (store != null && store.nodes().live(l.get())) {
      live.add(l.get());
      return true;
    }
    return false;
  }

  /** Stops the heartbeat and retires the lease (a clean stop: its queued runs are resumed). */
  @Override
  public void close() {
    if (beat != null) {
      beat.shutdownNow();
      try {
        beat.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (isShared() && lease != null && !fenced) {
      try {
        store.nodes().retire(lease);
        JsonLog.info("node.retired", "node", nodeId, "epoch", lease.epoch());
      } catch (RuntimeException e) {
        JsonLog.warn("node.retire_failed", "node", nodeId, "detail", e.getMessage());
      }
    }
  }
}
