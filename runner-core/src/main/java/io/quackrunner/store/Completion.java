package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import java.time.Instant;

/**
 * The terminal facts written when a run ends.
 *
 * @param status a terminal status
 * @param finishedAt when it ended
 * @param exitCode the tool's exit code, or null
 * @param signal the ending signal, or null
 * @param errorKind the error kind unless it succeeded, else null
 * @param errorDetail one line on the failure, else null
 * @param resultJson the result document, or null
 */
public record Completion(
    RunStatus status,
    Instant finishedAt,
    Integer exitCode,
    Integer signal,
    ErrorKind errorKind,
    String errorDetail,
    String resultJson) {}
