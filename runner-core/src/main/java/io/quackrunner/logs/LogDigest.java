package io.quackrunner.logs;

import java.nio.file.Path;

/**
 * A stored log: where it is, how many bytes were kept, and their SHA-256.
 *
 * @param stream stdout or stderr
 * @param file the file holding the kept bytes
 * @param sizeBytes bytes kept (at most the output limit)
 * @param sha256 lower-case hex SHA-256 of the kept bytes
 * @param truncated whether output past the limit was discarded
 * @param redactions how many secret occurrences were replaced by {@code [REDACTED:NAME]} before the
 *     bytes were kept (size and digest are of the redacted bytes)
 */
public record LogDigest(
    LogStream stream,
    Path file,
    long sizeBytes,
    String sha256,
    boolean truncated,
    long redactions) {

  /** A digest of a stream with no redactions. */
  public LogDigest(LogStream stream, Path file, long sizeBytes, String sha256, boolean truncated) {
    this(stream, file, sizeBytes, sha256, truncated, 0);
  }
}
