package io.quackrunner.execution;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which sandbox ran a run.
 *
 * @param backend {@code bubblewrap}
 * @param version the backend's version, e.g. {@code 0.8.0}
 * @param isolated always true for bubblewrap; an unisolated development backend would say false
 * @param digest {@code sha256:<hex>} over the sandbox definition (backend, version, launcher
 *     binary, runtime profile and version, image digest): the receipt's {@code container_id} prefix
 * @param cgroupMode {@code v2}, {@code hybrid} or {@code v1}
 * @param hostUid the dedicated host uid the sandbox ran as
 * @param image {@code host} for a host-backed runtime, else the image as {@code name@sha256:<hex>};
 *     null in records written before images
 * @param containerDigest the image's OCI manifest digest {@code sha256:<hex>} (the MPLP {@code
 *     container_digest}), or null when the run was host-backed
 */
public record SandboxIdentity(
    String backend,
    String version,
    boolean isolated,
    String digest,
    @JsonProperty("cgroup_mode") String cgroupMode,
    @JsonProperty("host_uid") int hostUid,
    String image,
    @JsonProperty("container_digest") String containerDigest) {

  /** An identity of a host-backed run. */
  public SandboxIdentity(
      String backend,
      String version,
      boolean isolated,
      String digest,
      String cgroupMode,
      int hostUid) {
    this(backend, version, isolated, digest, cgroupMode, hostUid, "host", null);
  }
}
