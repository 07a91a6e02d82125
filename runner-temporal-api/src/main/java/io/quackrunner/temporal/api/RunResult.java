package io.quackrunner.temporal.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What happened in one run: the {@code RunResult} document of the HTTP API ({@code GET /runs/{id}},
 * {@code /openapi.json}), field for field.
 *
 * <p>Artifacts are references (path, size, SHA-256, media type and the gateway path that serves
 * them), never their bytes. Links ({@code href}) are paths of a gateway ({@code runner serve}) on
 * the worker's state directory; the files themselves are at {@code
 * <state-dir>/runs/<id>/out/<path>}.
 *
 * <p>Read <b>tolerantly</b>: members this type does not know (added by a newer worker, or present
 * in workflow history written by one) are ignored, here and in every nested type, whatever the data
 * converter's settings, because a RunResult in a workflow's history outlives the worker deployment
 * that wrote it (docs/TEMPORAL.md, "Payloads").
 *
 * @param id the run's id (execution id)
 * @param status {@code QUEUED}, {@code RUNNING}, {@code SUCCEEDED}, {@code FAILED}, {@code
 *     TIMED_OUT}, {@code LIMIT_EXCEEDED}, {@code CANCELLED}, {@code INTERRUPTED} or {@code
 *     REJECTED}
 * @param tool the tool's name
 * @param version the tool's version
 * @param verb the verb
 * @param exitCode the tool's exit code, or null
 * @param signal the signal that killed it, or null
 * @param timings when the run was queued, started and finished (RFC 3339 UTC), and its duration
 * @param usage resources used, or null when nothing ran
 * @param limitExceeded the breached limit's name, or null
 * @param artifacts the artifacts, sorted by path
 * @param manifest the manifest reference, or null
 * @param violations refused outputs and failed output checks
 * @param toolDigest the tool version's digest ({@code sha256:<hex>}), or null
 * @param secrets the names (never values) of the tenant secrets the run received, sorted
 * @param logs references to the stored stdout and stderr
 * @param error the RFC 9457 problem of a run that did not succeed, or null
 * @param receipt the signed receipt's reference, or null before it is issued
 * @param limits the limits applied (snake_case name with its unit: {@code _ms}, {@code _bytes} or a
 *     count; {@code network} a boolean), or null before the run ended or when it never executed
 * @param phasesUs where the runner's time went, microseconds per phase ({@code setup}, {@code
 *     exec}, {@code teardown}, {@code collect}, {@code reports}), or null
 * @param callback the run's receipt callback, or null (the worker takes none; a run started over
 *     HTTP may have one)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunResult(
    @JsonProperty("id") String id,
    @JsonProperty("status") String status,
    @JsonProperty("tool") String tool,
    @JsonProperty("version") String version,
    @JsonProperty("verb") String verb,
    @JsonProperty("exit_code") Integer exitCode,
    @JsonProperty("signal") Integer signal,
    @JsonProperty("timings") Timings timings,
    @JsonProperty("usage") Usage usage,
    @JsonProperty("limit_exceeded") String limitExceeded,
    @JsonProperty("artifacts") List<ArtifactRef> artifacts,
    @JsonProperty("manifest") ManifestRef manifest,
    @JsonProperty("violations") List<Violation> violations,
    @JsonProperty("tool_digest") String toolDigest,
    @JsonProperty("secrets") List<String> secrets,
    @JsonProperty("logs") Logs logs,
    @JsonProperty("error") Problem error,
    @JsonProperty("receipt") ReceiptRef receipt,
    @JsonProperty("limits") Map<String, Object> limits,
    @JsonProperty("phases_us") Map<String, Long> phasesUs,
    @JsonProperty("callback") Callback callback) {

  /**
   * A run's receipt callback (docs/SERVER.md, "Callbacks").
   *
   * @param url the destination
   * @param state {@code PENDING}, {@code DELIVERED} or {@code FAILED}
   * @param attempts delivery attempts so far
   * @param lastError why the last attempt did not deliver, or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Callback(
      @JsonProperty("url") String url,
      @JsonProperty("state") String state,
      @JsonProperty("attempts") int attempts,
      @JsonProperty("last_error") String lastError) {}

  /**
   * When a run was queued, started and finished.
   *
   * @param queuedAt RFC 3339 UTC
   * @param startedAt RFC 3339 UTC, or null
   * @param finishedAt RFC 3339 UTC, or null
   * @param durationMs milliseconds from start to finish, or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Timings(
      @JsonProperty("queued_at") String queuedAt,
      @JsonProperty("started_at") String startedAt,
      @JsonProperty("finished_at") String finishedAt,
      @JsonProperty("duration_ms") Long durationMs) {}

  /**
   * Resources a run used.
   *
   * @param wallTimeMs the sandbox's wall time, milliseconds
   * @param cpuTimeMs CPU time of the sandbox's processes, milliseconds
   * @param peakMemoryBytes peak memory, bytes
   * @param sandboxOverheadMs runner time around the sandbox, milliseconds
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Usage(
      @JsonProperty("wall_time_ms") long wallTimeMs,
      @JsonProperty("cpu_time_ms") long cpuTimeMs,
      @JsonProperty("peak_memory_bytes") long peakMemoryBytes,
      @JsonProperty("sandbox_overhead_ms") long sandboxOverheadMs) {}

  /**
   * A reference to one artifact.
   *
   * @param path the path under {@code out/}
   * @param size bytes
   * @param sha256 lower-case hex SHA-256 of the content
   * @param mediaType the media type
   * @param href the gateway path serving it ({@code /runs/{id}/artifacts/{path}})
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ArtifactRef(
      @JsonProperty("path") String path,
      @JsonProperty("size") long size,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("media_type") String mediaType,
      @JsonProperty("href") String href) {}

  /**
   * A reference to the manifest the tool wrote.
   *
   * @param path the path under {@code out/}
   * @param href the gateway path serving it
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ManifestRef(@JsonProperty("path") String path, @JsonProperty("href") String href) {}

  /**
   * A refused output or a failed output check.
   *
   * @param path the path under {@code out/}
   * @param kind the kind of violation
   * @param detail what was wrong
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Violation(
      @JsonProperty("path") String path,
      @JsonProperty("kind") String kind,
      @JsonProperty("detail") String detail) {}

  /**
   * References to a run's stored output streams.
   *
   * @param stdout stdout
   * @param stderr stderr
   * @param follow the gateway path following both live
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Logs(
      @JsonProperty("stdout") LogRef stdout,
      @JsonProperty("stderr") LogRef stderr,
      @JsonProperty("follow") String follow) {}

  /**
   * A reference to one stored output stream.
   *
   * @param href the gateway path serving it
   * @param size bytes stored, or null
   * @param sha256 lower-case hex SHA-256 of the stored bytes, or null
   * @param truncated whether the output cap cut it
   * @param redactions secret occurrences replaced by {@code [REDACTED:NAME]} before the log was
   *     stored; {@code size} and {@code sha256} are of the stored bytes
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LogRef(
      @JsonProperty("href") String href,
      @JsonProperty("size") Long size,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("truncated") boolean truncated,
      @JsonProperty("redactions") long redactions) {}

  /**
   * An RFC 9457 problem document.
   *
   * @param type {@code https://quackrunner.io/problems/<kind>}
   * @param title a short summary of the kind
   * @param status the HTTP status the gateway would answer with
   * @param detail what happened
   * @param instance the run's path, or null
   * @param kind the error kind's slug ({@code execution-failed}, {@code artifact-violation}, …)
   * @param originalRun {@code idempotency-key-reused}: the run ({@code /runs/{id}}) holding the key
   * @param reason {@code invalid-trigger}: why the trigger was refused (docs/TRIGGERS.md)
   * @param rejectedRun {@code invalid-trigger}: the REJECTED run recorded for audit
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Problem(
      @JsonProperty("type") String type,
      @JsonProperty("title") String title,
      @JsonProperty("status") int status,
      @JsonProperty("detail") String detail,
      @JsonProperty("instance") String instance,
      @JsonProperty("kind") String kind,
      @JsonProperty("original_run") String originalRun,
      @JsonProperty("reason") String reason,
      @JsonProperty("rejected_run") String rejectedRun) {}

  /**
   * A reference to a run's signed receipt.
   *
   * @param href the gateway path serving the DSSE envelope
   * @param ledgerIndex the receipt's index in the Merkle ledger (RFC 9162 leaf index)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ReceiptRef(
      @JsonProperty("href") String href, @JsonProperty("ledger_index") long ledgerIndex) {}
}
