package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One start of a node: its id and the fencing epoch that start was given ({@link
 * NodeStore#register}). A run the node claims is owned by {@link #owner()}, {@code
 * node:<id>:<epoch>}; every finishing write of the node carries the lease and is refused once the
 * lease is no longer live (docs/STORAGE.md, "Nodes").
 *
 * @param nodeId the node's id, {@code [A-Za-z0-9._-]{1,64}}
 * @param epoch the epoch of this start, at least 1; a later start of the same id has a larger one
 */
public record NodeLease(String nodeId, long epoch) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern OWNER = Pattern.compile("node:([A-Za-z0-9._-]{1,64}):([1-9][0-9]*)");

  /**
   * Checks the fields.
   *
   * @throws RunnerException of kind USAGE for a bad id or an epoch below 1
   */
  public NodeLease {
    checkId(nodeId);
    if (epoch < 1) {
      throw new RunnerException(ErrorKind.USAGE, "a node epoch is at least 1, not " + epoch);
    }
  }

  /**
   * Checks a node id.
   *
   * @throws RunnerException of kind USAGE when it is not {@code [A-Za-z0-9._-]{1,64}}
   */
  public static String checkId(String nodeId) {
    if (nodeId == null || !ID.matcher(nodeId).matches()) {
      throw new RunnerException(
          ErrorKind.USAGE, "a node id is 1 to 64 of A-Z a-z 0-9 . _ - (got " + nodeId + ")");
    }
    return nodeId;
  }

  /** Returns the owner value of the runs this start claims, {@code node:<id>:<epoch>}. */
  public String owner() {
    return "node:" + nodeId + ":" + epoch;
  }

  /** Returns the lease an owner value names, or empty for an owner that is not a node's. */
  public static Optional<NodeLease> ofOwner(String owner) {
    if (owner == null) {
      return Optional.empty();
    }
    Matcher m = OWNER.matcher(owner);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new NodeLease(m.group(1), Long.parseLong(m.group(2))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
