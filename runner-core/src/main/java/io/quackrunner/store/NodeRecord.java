package io.quackrunner.store;

/**
 * A row of the {@code nodes} table: the latest start of one node.
 *
 * @param nodeId the node's id
 * @param epoch the epoch of its latest start
 * @param startedAtMs when that start registered, epoch milliseconds of the database's clock
 * @param heartbeatAtMs its last heartbeat, epoch milliseconds of the database's clock
 * @param leaseMs how long after a heartbeat the node counts as live, milliseconds
 * @param state {@code live}, {@code dead} (declared dead by another node) or {@code retired}
 *     (stopped cleanly)
 * @param keyId the key id of its signing key ({@code name+hex(keyhash)}), or null
 * @param publicKey its Ed25519 public key, base64, or null
 */
public record NodeRecord(
    String nodeId,
    long epoch,
    long startedAtMs,
    long heartbeatAtMs,
    long leaseMs,
    String state,
    String keyId,
    String publicKey) {
  /** Returns this start's lease. */
  public NodeLease lease() {
    return new NodeLease(nodeId, epoch);
  }
}
