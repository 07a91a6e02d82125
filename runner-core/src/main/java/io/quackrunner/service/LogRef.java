package io.quackrunner.service;

/**
 * A reference to a run's stored log.
 *
 * @param size bytes kept
 * @param sha256 lower-case hex SHA-256 of the kept bytes
 * @param truncated whether output past the output limit was discarded
 * @param redactions how many secret occurrences were replaced by {@code [REDACTED:NAME]} before the
 *     bytes were kept (size and digest are of the redacted bytes)
 */
public record LogRef(long size, String sha256, boolean truncated, long redactions) {

  /** A reference to a log with no redactions. */
  public LogRef(long size, String sha256, boolean truncated) {
    this(size, sha256, truncated, 0);
  }
}
