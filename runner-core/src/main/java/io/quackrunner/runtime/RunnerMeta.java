package io.quackrunner.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The content of {@code reports/runner.meta.json} (MPLP Runner Framework V2, "Runner Metadata
 * Output"), with the seed's fields first and QuackRunner's after.
 *
 * @param runnerId the runtime profile id, e.g. {@code python-3.11}
 * @param containerDigest the OCI manifest digest {@code sha256:<hex>} of the image the run's root
 *     filesystem was, or null when the run was host-backed (never a digest that is not an image's)
 * @param environmentFingerprint the fingerprint, in its stable field order
 * @param workdir {@code /workspace}
 * @param executedAt RFC 3339 UTC start of the run
 * @param executionId the run's id
 * @param sandboxBackend {@code bubblewrap}
 * @param sandboxVersion e.g. {@code 0.8.0}
 * @param isolated whether the run was isolated (always true here)
 * @param image {@code host} for a host-backed run (the host's {@code /usr}), else {@code
 *     name@sha256:<hex>}
 * @param network the run's egress provenance (policy, destinations with bytes, refusals); absent
 *     for a run without egress
 * @param lockFile the lock file of the runtime's lock kind the tool's files ship ({@link
 *     LockFile}); absent when they ship none
 */
@JsonPropertyOrder({
  "runner_id",
  "container_digest",
  "environment_fingerprint",
  "workdir",
  "executed_at",
  "execution_id",
  "sandbox_backend",
  "sandbox_version",
  "isolated",
  "image",
  "network",
  "lock_file"
})
public record RunnerMeta(
    @JsonProperty("runner_id") String runnerId,
    @JsonProperty("container_digest") String containerDigest,
    @JsonProperty("environment_fingerprint") EnvironmentFingerprint environmentFingerprint,
    String workdir,
    @JsonProperty("executed_at") String executedAt,
    @JsonProperty("execution_id") String executionId,
    @JsonProperty("sandbox_backend") String sandboxBackend,
    @JsonProperty("sandbox_version") String sandboxVersion,
    boolean isolated,
    String image,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        io.quackrunner.egress.EgressSummary network,
    @JsonProperty("lock_file")
        @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        LockFile lockFile) {

  /** Metadata of a run without egress. */
  public RunnerMeta(
      String runnerId,
      String containerDigest,
      EnvironmentFingerprint environmentFingerprint,
      String workdir,
      String executedAt,
      String executionId,
      String sandboxBackend,
      String sandboxVersion,
      boolean isolated,
      String image) {
    this(
        runnerId,
        containerDigest,
        environmentFingerprint,
        workdir,
        executedAt,
        executionId,
        sandboxBackend,
        sandboxVersion,
        isolated,
        image,
        null,
        null);
  }
}
