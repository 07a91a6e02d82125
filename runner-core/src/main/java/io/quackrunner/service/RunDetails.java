package io.quackrunner.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quackrunner.artifacts.Artifact;
import io.quackrunner.artifacts.ArtifactViolation;
import io.quackrunner.execution.SandboxIdentity;
import io.quackrunner.runtime.EnvironmentFingerprint;
import java.util.List;
import java.util.Map;

/**
 * The result document of a finished run, kept as JSON in the run record: what the sandbox reported
 * and what was checked afterwards.
 *
 * @param limitExceeded the breached limit's name, or null
 * @param wallTimeMs the sandbox's wall time in milliseconds
 * @param cpuTimeMs CPU time of the sandbox's processes in milliseconds
 * @param peakMemoryBytes peak memory in bytes
 * @param overheadMs runner time around the sandbox (setup, input copy, collection) in milliseconds
 * @param artifacts the artifacts, sorted by path
 * @param violations refused entries of out/ and failed output checks
 * @param manifest the manifest's path under out/ when the tool requires one and it was produced
 * @param stdout the stored stdout
 * @param stderr the stored stderr
 * @param toolDigest the tool version's digest ({@code sha256:<hex>})
 * @param runtime the runtime profile id
 * @param sandbox the sandbox identity, or null when no sandbox ran
 * @param fingerprint the environment fingerprint, or null when no sandbox ran
 * @param limits the limits applied, snake_case names to values
 * @param argv the argv that ran
 * @param secrets the names of the secrets the run received (never their values), sorted, or null
 *     for a run recorded before secrets were named
 * @param phasesUs where the runner's time went, phase by phase in microseconds of the monotonic
 *     clock ({@code setup}, {@code exec}, {@code teardown}, {@code collect}, {@code reports}, in
 *     that order), or null for a run recorded before phases were kept or cut off by a crash
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunDetails(
    @JsonProperty("limit_exceeded") String limitExceeded,
    @JsonProperty("wall_time_ms") long wallTimeMs,
    @JsonProperty("cpu_time_ms") long cpuTimeMs,
    @JsonProperty("peak_memory_bytes") long peakMemoryBytes,
    @JsonProperty("overhead_ms") long overheadMs,
    List<Artifact> artifacts,
    List<ArtifactViolation> violations,
    String manifest,
    LogRef stdout,
    LogRef stderr,
    @JsonProperty("tool_digest") String toolDigest,
    String runtime,
    SandboxIdentity sandbox,
    EnvironmentFingerprint fingerprint,
    Map<String, Object> limits,
    List<String> argv,
    List<String> secrets,
    @JsonProperty("phases_us") Map<String, Long> phasesUs) {}
