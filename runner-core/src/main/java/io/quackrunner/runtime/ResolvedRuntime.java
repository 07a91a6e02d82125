package io.quackrunner.runtime;

/**
 * A runtime profile whose version was read from the host and matched its prefix.
 *
 * @param profile the profile
 * @param version the version found, e.g. {@code 3.11.2}
 */
public record ResolvedRuntime(RuntimeProfile profile, String version) {}
