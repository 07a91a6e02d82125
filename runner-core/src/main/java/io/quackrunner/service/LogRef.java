package io.quackrunner.service;

/**
 * A reference to a run's stored log.
 *
 * @param size bytes kept
 * @param sha256 lower-case hex SHA-256 of the kept bytes
 * @param truncated whether output past the output limit was discarded
 */
public record LogRef(long size, String sha256, boolean truncated) {}
