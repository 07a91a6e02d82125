package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/**
 * A write refused because the writing node's lease is no longer live: another node declared it dead
 * (its heartbeat lapsed past its lease), or a later start of the same node id took a new epoch.
 * Nothing of the write is stored. Kind {@link ErrorKind#UNAVAILABLE}: the request can be retried on
 * a live node.
 */
public final class NodeFenced extends RunnerException {
  private final NodeLease lease;

  /** Creates the refusal of a write of {@code lease}; {@code what} names the write. */
  public NodeFenced(NodeLease lease, String what) {
    super(
        ErrorKind.UNAVAILABLE,
        "node "
            + lease.nodeId()
            + " epoch "
            + lease.epoch()
            + " is fenced (declared dead or restarted): "
            + what
            + " refused");
    this.lease = lease;
  }

  /** Returns the fenced lease. */
  public NodeLease lease() {
    return lease;
  }
}
