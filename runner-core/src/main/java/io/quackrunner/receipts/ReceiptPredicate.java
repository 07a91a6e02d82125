package io.quackrunner.receipts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The QuackRunner receipt predicate: every field of the SPEC-UBL-RUNNER v1.0 ExecutionReceipt (§7)
 * and Artifact (§8), plus the run's limits, usage, tool, environment and sandbox.
 *
 * <p>Predicate type {@value ReceiptStatement#PREDICATE_TYPE}; JSON names are snake_case and every
 * field is always present (nullable ones as {@code null}); the schema is {@code
 * docs/receipt-predicate.schema.json}. Integers must be I-JSON safe (|n| ≤ 2^53 − 1), sizes are
 * bytes, times milliseconds, timestamps RFC 3339 UTC ({@code ...Z}).
 *
 * @param containerId the sandbox id the run executed in (UBL {@code container_id})
 * @param triggerHash the hash of the trigger that caused the run (UBL {@code trigger_link_hash})
 * @param executionId the run's unique id
 * @param status {@code "Success"} if {@code runStatus} is SUCCEEDED, else {@code "Failure"}
 * @param runStatus the terminal run status
 * @param failureReason one line saying why the run failed, or null
 * @param artifacts the regular files the tool left in {@code out/}
 * @param stdout digest and size of standard output
 * @param stderr digest and size of standard error
 * @param startedAt when the run started, RFC 3339 UTC
 * @param finishedAt when the run finished, RFC 3339 UTC
 * @param exitCode the process exit code, or null if it did not exit normally
 * @param signal the signal that ended the process, or null
 * @param limits the limits applied, by name (bytes, milliseconds or counts as the name says)
 * @param resourceUsage what the run consumed
 * @param tool the registered tool that ran, or null when a raw command ran
 * @param command the argv that ran when no registered tool did, or null
 * @param environmentFingerprint the environment the run executed in
 * @param sandbox the isolation backend
 * @param runnerVersion the QuackRunner version that ran and signed
 * @param errorKind the {@code ErrorKind} slug of a runner error, or null
 * @param trigger the signed trigger that caused the run; absent (not null) when the run had an
 *     idempotency key or no trigger, so receipts from before triggers keep their exact bytes
 * @param secrets the names (never the values) of the secrets the run received, sorted; empty when
 *     it received none
 * @param origin the front-end and client the run came through; absent (not null) when the run's
 *     record holds none, so receipts from before origins keep their exact bytes
 * @param network the egress provenance of a run in the {@code egress} network mode: the effective
 *     allow-list and caps, the destinations contacted with byte counts, the refused attempts;
 *     absent (not null) for every other run, so their receipts keep their exact bytes
 * @param lockFile the lock file of the runtime's lock kind ({@code package-lock.json}, {@code
 *     poetry.lock}, {@code packages.lock.json}) the tool's files shipped, by name and SHA-256;
 *     absent (not null) when they shipped none, so other receipts keep their exact bytes
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ReceiptPredicate(
    @JsonProperty("container_id") String containerId,
    @JsonProperty("trigger_hash") String triggerHash,
    @JsonProperty("execution_id") String executionId,
    @JsonProperty("status") String status,
    @JsonProperty("run_status") RunStatus runStatus,
    @JsonProperty("failure_reason") String failureReason,
    @JsonProperty("artifacts") List<Artifact> artifacts,
    @JsonProperty("stdout") StreamDigest stdout,
    @JsonProperty("stderr") StreamDigest stderr,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    @JsonProperty("exit_code") Integer exitCode,
    @JsonProperty("signal") Integer signal,
    @JsonProperty("limits") Map<String, Long> limits,
    @JsonProperty("resource_usage") ResourceUsage resourceUsage,
    @JsonProperty("tool") Tool tool,
    @JsonProperty("command") List<String> command,
    @JsonProperty("environment_fingerprint") EnvironmentFingerprint environmentFingerprint,
    @JsonProperty("sandbox") Sandbox sandbox,
    @JsonProperty("runner_version") String runnerVersion,
    @JsonProperty("error_kind") String errorKind,
    @JsonProperty("trigger") @JsonInclude(JsonInclude.Include.NON_NULL) Trigger trigger,
    @JsonProperty("secrets") List<String> secrets,
    @JsonProperty("origin") @JsonInclude(JsonInclude.Include.NON_NULL) Origin origin,
    @JsonProperty("network") @JsonInclude(JsonInclude.Include.NON_NULL)
        io.quackrunner.egress.EgressSummary network,
    @JsonProperty("lock_file") @JsonInclude(JsonInclude.Include.NON_NULL)
        io.quackrunner.runtime.LockFile lockFile) {

  /** Creates a predicate without a recorded origin, of a run without egress. */
  public ReceiptPredicate(
      String containerId,
      String triggerHash,
      String executionId,
      String status,
      RunStatus runStatus,
      String failureReason,
      List<Artifact> artifacts,
      StreamDigest stdout,
      StreamDigest stderr,
      String startedAt,
      String finishedAt,
      Integer exitCode,
      Integer signal,
      Map<String, Long> limits,
      ResourceUsage resourceUsage,
      Tool tool,
      List<String> command,
      EnvironmentFingerprint environmentFingerprint,
      Sandbox sandbox,
      String runnerVersion,
      String errorKind,
      Trigger trigger,
      List<String> secrets) {
    this(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        trigger,
        secrets,
        null,
        null,
        null);
  }

  /** Returns this predicate with the origin the run came through, all else unchanged. */
  public ReceiptPredicate withOrigin(Origin o) {
    return new ReceiptPredicate(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        trigger,
        secrets,
        o,
        network,
        lockFile);
  }

  /**
   * The front-end a run came through and the client's own name and version (MCP {@code
   * clientInfo}); the client's words, not authenticated.
   *
   * @param frontEnd {@code cli}, {@code http}, {@code mcp} or {@code temporal}
   * @param clientName the client's name, or null
   * @param clientVersion the client's version, or null
   */
  public record Origin(
      @JsonProperty("front_end") String frontEnd,
      @JsonProperty("client_name") String clientName,
      @JsonProperty("client_version") String clientVersion) {
    /** Checks the front-end. */
    public Origin {
      ReceiptChecks.text(frontEnd, "origin.front_end");
    }
  }

  /** Creates a predicate of a run without a signed trigger that received no secrets. */
  public ReceiptPredicate(
      String containerId,
      String triggerHash,
      String executionId,
      String status,
      RunStatus runStatus,
      String failureReason,
      List<Artifact> artifacts,
      StreamDigest stdout,
      StreamDigest stderr,
      String startedAt,
      String finishedAt,
      Integer exitCode,
      Integer signal,
      Map<String, Long> limits,
      ResourceUsage resourceUsage,
      Tool tool,
      List<String> command,
      EnvironmentFingerprint environmentFingerprint,
      Sandbox sandbox,
      String runnerVersion,
      String errorKind) {
    this(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        null,
        List.of());
  }

  /** Returns this predicate with the signed trigger that caused the run. */
  public ReceiptPredicate withTrigger(Trigger t) {
    return new ReceiptPredicate(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        t,
        secrets,
        origin,
        network,
        lockFile);
  }

  /**
   * The signed trigger (the UBL link) that caused the run.
   *
   * @param linkHash {@code sha256:<hex>} of the trigger payload
   * @param linkId the caller's link id
   * @param signerKeyId the C2SP key id (name+hash) whose signature verified
   * @param envelope the trigger's DSSE envelope as the caller sent it, so a verifier holding the
   *     trigger key can check it
   * @param checkpoint the caller's checkpoint the link was proven in, or null when not anchored
   */
  public record Trigger(
      @JsonProperty("link_hash") String linkHash,
      @JsonProperty("link_id") String linkId,
      @JsonProperty("signer_key_id") String signerKeyId,
      @JsonProperty("envelope") com.fasterxml.jackson.databind.JsonNode envelope,
      @JsonProperty("checkpoint") Checkpoint checkpoint) {
    /** Checks the fields. */
    public Trigger {
      ReceiptChecks.text(linkHash, "trigger.link_hash");
      ReceiptChecks.text(linkId, "trigger.link_id");
      ReceiptChecks.text(signerKeyId, "trigger.signer_key_id");
      Objects.requireNonNull(envelope, "trigger.envelope");
    }
  }

  /**
   * The anchoring checkpoint of a trigger link (C2SP tlog-checkpoint).
   *
   * @param origin the log's origin line
   * @param size the tree size
   * @param rootHash the root hash, standard base64
   */
  public record Checkpoint(
      @JsonProperty("origin") String origin,
      @JsonProperty("size") long size,
      @JsonProperty("root_hash") String rootHash) {}

  /** The terminal statuses a receipt can record. */
  public enum RunStatus {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    LIMIT_EXCEEDED,
    CANCELLED,
    INTERRUPTED,
    REJECTED
  }

  /** Checks every field; see {@link ReceiptChecks} for the rules. */
  public ReceiptPredicate {
    ReceiptChecks.text(containerId, "container_id");
    ReceiptChecks.text(triggerHash, "trigger_hash");
    ReceiptChecks.text(executionId, "execution_id");
    Objects.requireNonNull(runStatus, "run_status");
    ReceiptChecks.that(
        Objects.equals(status, statusOf(runStatus)),
        "status must be " + statusOf(runStatus) + " for run_status " + runStatus);
    artifacts = List.copyOf(Objects.requireNonNull(artifacts, "artifacts"));
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
    ReceiptChecks.timestamp(startedAt, "started_at");
    ReceiptChecks.timestamp(finishedAt, "finished_at");
    limits = Map.copyOf(Objects.requireNonNull(limits, "limits"));
    limits.values().forEach(v -> ReceiptChecks.safeInteger(v, "limits"));
    Objects.requireNonNull(resourceUsage, "resource_usage");
    ReceiptChecks.that(tool != null || command != null, "tool or command is required");
    command = command == null ? null : List.copyOf(command);
    Objects.requireNonNull(environmentFingerprint, "environment_fingerprint");
    Objects.requireNonNull(sandbox, "sandbox");
    ReceiptChecks.text(runnerVersion, "runner_version");
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }

  /**
   * Returns this predicate listing the given secret names (sorted), all else unchanged.
   *
   * @param names the names of the secrets the run received
   */
  public ReceiptPredicate withSecrets(List<String> names) {
    return new ReceiptPredicate(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        trigger,
        names == null ? List.of() : names.stream().sorted().toList(),
        origin,
        network,
        lockFile);
  }

  /** Returns this predicate with the run's egress provenance, all else unchanged. */
  public ReceiptPredicate withNetwork(io.quackrunner.egress.EgressSummary n) {
    return new ReceiptPredicate(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        trigger,
        secrets,
        origin,
        n,
        lockFile);
  }

  /** Returns this predicate with the lock file the tool's files shipped, all else unchanged. */
  public ReceiptPredicate withLockFile(io.quackrunner.runtime.LockFile l) {
    return new ReceiptPredicate(
        containerId,
        triggerHash,
        executionId,
        status,
        runStatus,
        failureReason,
        artifacts,
        stdout,
        stderr,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        limits,
        resourceUsage,
        tool,
        command,
        environmentFingerprint,
        sandbox,
        runnerVersion,
        errorKind,
        trigger,
        secrets,
        origin,
        network,
        l);
  }

  /** Returns the UBL status, {@code "Success"} or {@code "Failure"}, for a run status. */
  public static String statusOf(RunStatus runStatus) {
    return runStatus == RunStatus.SUCCEEDED ? "Success" : "Failure";
  }

  /**
   * One artifact (SPEC-UBL-RUNNER §8).
   *
   * @param artifactId the path relative to {@code out/}, '/'-separated; also the subject name
   * @param type the media type
   * @param size the size in bytes
   * @param contentHash {@code "sha256:"} followed by 64 lower-case hex digits
   * @param metadata free-form string metadata, possibly empty
   */
  public record Artifact(
      @JsonProperty("artifact_id") String artifactId,
      @JsonProperty("type") String type,
      @JsonProperty("size") long size,
      @JsonProperty("content_hash") String contentHash,
      @JsonProperty("metadata") Map<String, String> metadata) {
    /** Checks the fields. */
    public Artifact {
      ReceiptChecks.relativePath(artifactId);
      ReceiptChecks.text(type, "type");
      ReceiptChecks.size(size, "size");
      ReceiptChecks.that(
          contentHash != null
              && contentHash.startsWith("sha256:")
              && ReceiptChecks.isSha256Hex(contentHash.substring(7)),
          "content_hash must be sha256:<64 hex>");
      metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    /** Returns the 64 hex digits of the content hash. */
    public String sha256() {
      return contentHash.substring("sha256:".length());
    }
  }

  /**
   * The digest and size of a captured output stream.
   *
   * @param sha256 64 lower-case hex digits, of the stored (redacted) bytes
   * @param size bytes stored
   * @param redactions how many secret occurrences were replaced by {@code [REDACTED:NAME]}
   */
  public record StreamDigest(
      @JsonProperty("sha256") String sha256,
      @JsonProperty("size") long size,
      @JsonProperty("redactions") long redactions) {
    /** Checks the fields. */
    public StreamDigest {
      ReceiptChecks.that(ReceiptChecks.isSha256Hex(sha256), "sha256 must be 64 lower-case hex");
      ReceiptChecks.size(size, "size");
      ReceiptChecks.size(redactions, "redactions");
    }

    /** A digest of a stream with no redactions. */
    public StreamDigest(String sha256, long size) {
      this(sha256, size, 0);
    }
  }

  /**
   * What a run consumed.
   *
   * @param cpuTimeMs user plus system CPU time, milliseconds
   * @param peakMemoryBytes peak resident memory, bytes
   * @param wallTimeMs wall-clock time, milliseconds
   */
  public record ResourceUsage(
      @JsonProperty("cpu_time_ms") long cpuTimeMs,
      @JsonProperty("peak_memory_bytes") long peakMemoryBytes,
      @JsonProperty("wall_time_ms") long wallTimeMs) {
    /** Checks the fields. */
    public ResourceUsage {
      ReceiptChecks.size(cpuTimeMs, "cpu_time_ms");
      ReceiptChecks.size(peakMemoryBytes, "peak_memory_bytes");
      ReceiptChecks.size(wallTimeMs, "wall_time_ms");
    }
  }

  /**
   * The identity of a registered tool.
   *
   * @param name the registered name
   * @param version the registered version
   * @param digest the digest of its runtime or image, {@code algorithm:hex}
   */
  public record Tool(
      @JsonProperty("name") String name,
      @JsonProperty("version") String version,
      @JsonProperty("digest") String digest) {
    /** Checks the fields. */
    public Tool {
      ReceiptChecks.text(name, "tool.name");
      ReceiptChecks.text(version, "tool.version");
      ReceiptChecks.text(digest, "tool.digest");
    }
  }

  /**
   * The environment a run executed in, in a stable field order.
   *
   * @param os operating system and kernel, e.g. {@code linux 6.1.0}
   * @param arch CPU architecture, e.g. {@code amd64}
   * @param runtimeType the tool's runtime kind, e.g. {@code python}
   * @param runtimeVersion the runtime's version
   * @param generatedAt when the fingerprint was taken, RFC 3339 UTC
   */
  public record EnvironmentFingerprint(
      @JsonProperty("os") String os,
      @JsonProperty("arch") String arch,
      @JsonProperty("runtime_type") String runtimeType,
      @JsonProperty("runtime_version") String runtimeVersion,
      @JsonProperty("generated_at") String generatedAt) {
    /** Checks the fields. */
    public EnvironmentFingerprint {
      ReceiptChecks.text(os, "os");
      ReceiptChecks.text(arch, "arch");
      ReceiptChecks.text(runtimeType, "runtime_type");
      ReceiptChecks.text(runtimeVersion, "runtime_version");
      ReceiptChecks.timestamp(generatedAt, "generated_at");
    }
  }

  /**
   * The isolation backend of a run.
   *
   * @param backend e.g. {@code bubblewrap}, or {@code none} for the development backend
   * @param version the backend's version
   * @param isolated false only for the unisolated development backend
   * @param image {@code host} when the run's root was the host's {@code /usr}, else the OCI image
   *     as {@code name@sha256:<hex>}
   * @param containerDigest the image's OCI manifest digest {@code sha256:<hex>} (MPLP {@code
   *     container_digest}), or null when {@code image} is {@code host}
   */
  public record Sandbox(
      @JsonProperty("backend") String backend,
      @JsonProperty("version") String version,
      @JsonProperty("isolated") boolean isolated,
      @JsonProperty("image") String image,
      @JsonProperty("container_digest") String containerDigest) {
    /** Checks the fields. */
    public Sandbox {
      ReceiptChecks.text(backend, "sandbox.backend");
      ReceiptChecks.text(version, "sandbox.version");
      // Both absent: a receipt signed before images, which said neither.
      ReceiptChecks.that(
          image == null
              ? containerDigest == null
              : !image.isEmpty()
                  && ((containerDigest == null) == image.equals("host"))
                  && (containerDigest == null || image.endsWith("@" + containerDigest)),
          "sandbox.container_digest must be null exactly when sandbox.image is host, else the"
              + " image's digest");
    }

    /** A host-backed sandbox: {@code image} is {@code host}, {@code container_digest} null. */
    public Sandbox(String backend, String version, boolean isolated) {
      this(backend, version, isolated, "host", null);
    }
  }
}
