package io.quackrunner.limits;

/**
 * Limits a caller asks for; a {@code null} field means "the configured default".
 *
 * <p>Units as in {@link Limits}: milliseconds, bytes, counts.
 */
public record LimitsRequest(
    Long wallTimeMs,
    Long cpuTimeMs,
    Long memoryBytes,
    Long pids,
    Long outputBytes,
    Long fileSizeBytes,
    Long outDirBytes,
    Long tmpDirBytes,
    NetworkMode network) {

  /** A request that takes every default. */
  public static final LimitsRequest DEFAULTS =
      new LimitsRequest(null, null, null, null, null, null, null, null, null);
}
