package io.quackrunner.temporal.worker;

import io.quackrunner.temporal.api.RunRequest;
import io.quackrunner.temporal.api.RunResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** The tests' workflow: one QuackRunner run with the given activity options. */
@WorkflowInterface
public interface ToolWorkflow {
  /**
   * What the workflow is asked to do.
   *
   * @param request the run
   * @param startToCloseSeconds the activity's start-to-close timeout
   * @param heartbeatSeconds the activity's heartbeat timeout
   * @param maxAttempts the retry policy's maximum attempts
   */
  record Plan(RunRequest request, int startToCloseSeconds, int heartbeatSeconds, int maxAttempts) {}

  /**
   * The workflow's result: the run's result and, when the activity failed with an
   * ApplicationFailure, its type.
   */
  record Outcome(RunResult result, String failureType, boolean nonRetryable) {}

  /** Runs the plan's request through the QuackRunner activity. */
  @WorkflowMethod
  Outcome execute(Plan plan);
}
