package io.quackrunner.egress;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/**
 * The egress policy of one run: where it may connect through the proxy and how much.
 *
 * @param allow the destinations it may reach; never empty (a run without destinations has no
 *     egress)
 * @param maxConnections the most connections (CONNECT tunnels plus plain-HTTP requests) the proxy
 *     allows in the run; refused attempts do not count
 * @param maxBytes the most bytes, both directions and all connections together, the proxy relays;
 *     at the cap every open connection is closed
 */
public record Egress(AllowList allow, int maxConnections, long maxBytes) {
  /** The connection cap when none is configured. */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  /** The byte cap when none is configured: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /**
   * Checks the fields.
   *
   * @throws RunnerException of kind SCHEMA_VIOLATION for an empty list or a cap below 1
   */
  public Egress {
    if (allow == null || allow.isEmpty()) {
      throw new RunnerException(ErrorKind.SCHEMA_VIOLATION, "an egress allow-list is empty");
    }
    if (maxConnections < 1 || maxBytes < 1) {
      throw new RunnerException(ErrorKind.SCHEMA_VIOLATION, "egress caps must be at least 1");
    }
  }

  /** An egress policy with the default caps. */
  public static Egress of(AllowList allow) {
    return new Egress(allow, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_BYTES);
  }

  /**
   * Returns this policy narrowed by a request: its list (see {@link AllowList#narrow}), or this
   * list when the request names none; the caps stay.
   *
   * @throws RunnerException of kind FORBIDDEN when the request would widen the list
   */
  public Egress narrow(AllowList requested) {
    return requested == null ? this : new Egress(allow.narrow(requested), maxConnections, maxBytes);
  }
}
