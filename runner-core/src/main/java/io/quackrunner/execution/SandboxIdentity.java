package io.quackrunner.execution;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which sandbox ran a run.
 *
 * @param backend {@code bubblewrap}
 * @param version the backend's version, e.g. {@code 0.8.0}
 * @param isolated always true for bubblewrap; an unisolated development backend would say false
 * @param digest {@code sha256:<hex>} over the sandbox definition (backend, version, launcher
 *     binary, runtime profile and version): the MPLP {@code container_digest}
 * @param cgroupMode {@code v2}, {@code hybrid} or {@code v1}
 * @param hostUid the dedicated host uid the sandbox ran as
 */
public record SandboxIdentity(
    String backend,
    String version,
    boolean isolated,
    String digest,
    @JsonProperty("cgroup_mode") String cgroupMode,
    @JsonProperty("host_uid") int hostUid) {}
