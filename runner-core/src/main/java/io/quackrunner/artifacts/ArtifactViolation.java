package io.quackrunner.artifacts;

/**
 * Something in out/ that is not an acceptable artifact; it was reported, never read.
 *
 * @param path relative path under out/
 * @param kind {@code symlink}, {@code hardlink}, {@code fifo}, {@code socket}, {@code char-device},
 *     {@code block-device}, {@code other}, {@code unsafe-name}, {@code non-utf8-name} (path shown
 *     percent-encoded), {@code normalization-collision}, {@code too-deep}, {@code path-too-long},
 *     {@code unreadable}, {@code copy-failed}, {@code out-size-cap}, {@code out-files-cap}, {@code
 *     too-many-violations}, {@code collect-failed}, {@code reserved}, {@code missing-output} or
 *     {@code manifest}
 * @param detail one line saying why
 */
public record ArtifactViolation(String path, String kind, String detail) {}
