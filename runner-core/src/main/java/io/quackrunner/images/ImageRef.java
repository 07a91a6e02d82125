package io.quackrunner.images;

import java.nio.file.Path;

/**
 * The image a run's root filesystem comes from.
 *
 * @param name the name it was asked for by (a runtime id or stored name), e.g. {@code python-3.11}
 * @param digest the manifest digest: the run's {@code container_digest}
 * @param rootfs the unpacked, read-only root filesystem on the host
 */
public record ImageRef(String name, Digest digest, Path rootfs) {
  /** Returns {@code name@sha256:<hex>}. */
  public String reference() {
    return name + "@" + digest;
  }
}
