package io.quackrunner.store;

import java.util.List;
import java.util.Optional;

/**
 * Node membership in the run store's database ({@code nodes}, {@code node_keys}; docs/STORAGE.md,
 * "Nodes"). Every change is one conditional statement whose row count says whether it happened, and
 * every time is the database's clock, so the nodes' own clocks never matter.
 */
public interface NodeStore {
  /**
   * Registers a start of node {@code nodeId}: a new epoch (1 for a new id, else the previous epoch
   * plus 1, which fences the previous start), state {@code live}, heartbeat now; its public key is
   * added to {@code node_keys} unless listed already. One transaction.
   *
   * @param leaseMs how long after a heartbeat the node counts as live, milliseconds, at least 1
   * @param keyId the signing key's id, or null
   * @param publicKey the signing key's Ed25519 public key, base64, or null
   * @return the new start's lease
   * @throws io.quackrunner.errors.RunnerException of kind USAGE for a bad id or lease, INTERNAL on
   *     a database error
   */
  NodeLease register(String nodeId, long leaseMs, String keyId, String publicKey);

  /**
   * Renews a lease: sets its heartbeat to now if its row is still live with its epoch.
   *
   * @return false when the lease is fenced (declared dead, retired, or a later start registered)
   */
  boolean heartbeat(NodeLease lease);

  /**
   * Declares dead every live node whose {@code heartbeat_at + lease_ms} is before now, in one
   * statement.
   *
   * @return the leases this call declared dead (none that another caller declared first)
   */
  List<NodeLease> declareDead();

  /**
   * Marks a live lease retired (a clean stop): its queued runs may be resumed by any live node.
   *
   * @return false when it was no longer live
   */
  boolean retire(NodeLease lease);

  /** Returns whether a lease's row is live with its epoch. */
  boolean live(NodeLease lease);

  /** Returns the leases whose rows are live. */
  List<NodeLease> liveLeases();

  /** Returns the row of a node. */
  Optional<NodeRecord> find(String nodeId);

  /** Returns every node's row, by id. */
  List<NodeRecord> nodes();

  /** Returns every listed node key, oldest first. */
  List<NodeKey> keys();
}
