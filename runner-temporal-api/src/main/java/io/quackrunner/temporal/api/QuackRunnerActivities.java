package io.quackrunner.temporal.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The QuackRunner activities a Temporal workflow calls to run a registered tool once, in a sandbox,
 * with a signed receipt (docs/TEMPORAL.md).
 *
 * <p>Activity type names are {@code QuackRunner.Run}, {@code QuackRunner.Get} and {@code
 * QuackRunner.Receipt}. Payloads are the JSON documents of the HTTP API ({@code /openapi.json}),
 * carried by the SDK's Jackson data converter. Failures are {@code ApplicationFailure}s whose
 * {@code type} is one of {@link FailureTypes}.
 */
@ActivityInterface(namePrefix = "QuackRunner.")
public interface QuackRunnerActivities {
  /**
   * Runs a request at most once per activity and returns its result once the run has succeeded.
   *
   * <p>The run's trigger is derived from the namespace, workflow id, workflow run id and activity
   * id (never the attempt): a retried attempt returns the run the first attempt started, awaiting
   * it while it executes, and never executes the tool again. A request with a signed {@code
   * trigger} uses that instead (one link, one execution). The request must not carry an {@code
   * idempotency_key} ({@link FailureTypes#SCHEMA_VIOLATION}), nor members this version of the
   * payload does not define ({@link FailureTypes#UNKNOWN_FIELD}).
   *
   * @param request the RunRequest document (tool, version, verb, inputs, params, limits, env,
   *     secrets, trigger)
   * @return the RunResult document of a {@code SUCCEEDED} run
   * @throws io.temporal.failure.ApplicationFailure non-retryable, of the run's status or error kind
   *     with the RunResult as details, when the tool's run did not succeed; of a problem type when
   *     the request was refused (retryable only for the runner's transient conditions)
   */
  @ActivityMethod
  RunResult run(RunRequest request);

  /**
   * Returns the current RunResult document of a run, in whatever status it is.
   *
   * @param runId the run's id ({@link RunResult#id()})
   * @throws io.temporal.failure.ApplicationFailure non-retryable of type {@link
   *     FailureTypes#NOT_FOUND} when there is no such run
   */
  @ActivityMethod
  RunResult get(String runId);

  /**
   * Returns a finished run's signed receipt: the DSSE envelope (JSON text) of its in-toto Statement
   * v1, which {@code runner verify} checks.
   *
   * @param runId the run's id
   * @throws io.temporal.failure.ApplicationFailure non-retryable of type {@link
   *     FailureTypes#NOT_FOUND} when there is no such run or it has no receipt yet
   */
  @ActivityMethod
  String receipt(String runId);
}
