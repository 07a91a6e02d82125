package io.quackrunner.temporal.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The heartbeat details of a {@code QuackRunner.Run} attempt: where the run is and how much it has
 * produced. Read tolerantly: unknown members are ignored.
 *
 * @param runId the run's id
 * @param phase {@code QUEUED}, {@code RUNNING}, or {@code AWAITING} when this attempt waits for a
 *     run an earlier attempt started in another worker process
 * @param outputBytes stdout and stderr bytes produced so far (0 when not followed live)
 * @param elapsedMs milliseconds since this attempt started
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Progress(
    @JsonProperty("run_id") String runId,
    @JsonProperty("phase") String phase,
    @JsonProperty("output_bytes") long outputBytes,
    @JsonProperty("elapsed_ms") long elapsedMs) {}
