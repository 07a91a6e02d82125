package io.quackrunner.limits;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Locale;

/** The network a sandbox gets: none, a private loopback, or the host's network. */
public enum NetworkMode {
  /** A new network namespace with only a loopback device; only AF_UNIX sockets are allowed. */
  NONE,
  /** A new network namespace with its own loopback; INET sockets work only inside the sandbox. */
  LOOPBACK,
  /**
   * The host's network namespace. Must be allowed by configuration or the tool's registry entry.
   */
  HOST;

  /**
   * Parses {@code none}, {@code loopback} or {@code host}.
   *
   * @throws RunnerException of kind {@link ErrorKind#SCHEMA_VIOLATION} for any other value
   */
  public static NetworkMode parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "none" -> NONE;
      case "loopback" -> LOOPBACK;
      case "host" -> HOST;
      default ->
          throw new RunnerException(
              ErrorKind.SCHEMA_VIOLATION,
              "network must be none, loopback or host, not '" + text + "'");
    };
  }

  /** Returns the lower-case name used on the CLI, in JSON and in receipts. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
