package io.quackrunner.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The environment a run executed in, in the stable field order of MPLP Runner Framework V2 ({@code
 * os, arch, runtime_type, runtime_version, generated_at}) so that hashing it is deterministic.
 *
 * @param os {@code linux}
 * @param arch {@code x86_64} or {@code arm64}
 * @param runtimeType e.g. {@code python}
 * @param runtimeVersion the version found on the host, e.g. {@code 3.11.2}
 * @param generatedAt RFC 3339 UTC time the fingerprint was taken
 */
@JsonPropertyOrder({"os", "arch", "runtime_type", "runtime_version", "generated_at"})
public record EnvironmentFingerprint(
    String os,
    String arch,
    @JsonProperty("runtime_type") String runtimeType,
    @JsonProperty("runtime_version") String runtimeVersion,
    @JsonProperty("generated_at") String generatedAt) {}
