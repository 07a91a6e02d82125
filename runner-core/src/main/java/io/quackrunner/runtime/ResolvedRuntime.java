package io.quackrunner.runtime;

import io.quackrunner.images.ImageRef;

/**
 * A runtime profile whose version was read (from the host, or inside its image) and matched its
 * prefix.
 *
 * @param profile the profile
 * @param version the version found, e.g. {@code 3.11.2}
 * @param image the image whose root filesystem the sandbox's root is, or null for a host-backed
 *     runtime (the host's {@code /usr})
 */
public record ResolvedRuntime(RuntimeProfile profile, String version, ImageRef image) {
  /** A host-backed runtime. */
  public ResolvedRuntime(RuntimeProfile profile, String version) {
    this(profile, version, null);
  }

  /** Returns {@code host}, or the image as {@code name@sha256:<hex>}. */
  public String imageLabel() {
    return image == null ? "host" : image.reference();
  }

  /** Returns the image's manifest digest {@code sha256:<hex>}, or null when host-backed. */
  public String containerDigest() {
    return image == null ? null : image.digest().toString();
  }
}
