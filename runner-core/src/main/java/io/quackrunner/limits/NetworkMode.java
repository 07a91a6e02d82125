package io.quackrunner.limits;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Locale;

/**
 * The network a sandbox gets: none, a private loopback, egress by allow-list through the runner's
 * policy proxy, or the host's network. Ordered from least to most reach: a maximum admits every
 * mode before it.
 */
public enum NetworkMode {
  /** A new network namespace with only a loopback device; only AF_UNIX sockets are allowed. */
  NONE,
  /** A new network namespace with its own loopback; INET sockets work only inside the sandbox. */
  LOOPBACK,
  /**
   * A new network namespace with only a loopback, plus the runner's policy proxy at {@code
   * 127.0.0.1:3128} inside it, which connects only to the run's allow-list (docs/SANDBOX.md,
   * "Egress"). Entered only with a non-empty allow-list.
   */
  EGRESS,
  /**
   * The host's network namespace. Must be allowed by configuration or the tool's registry entry.
   */
  HOST;

  /**
   * Parses {@code none}, {@code loopback}, {@code egress} or {@code host}.
   *
   * @throws RunnerException of kind {@link ErrorKind#SCHEMA_VIOLATION} for any other value
   */
  public static NetworkMode parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "none" -> NONE;
      case "loopback" -> LOOPBACK;
      case "egress" -> EGRESS;
      case "host" -> HOST;
      default ->
          throw new RunnerException(
              ErrorKind.SCHEMA_VIOLATION,
              "network must be none, loopback, egress or host, not '" + text + "'");
    };
  }

  /** Returns the lower-case name used on the CLI, in JSON and in receipts. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
