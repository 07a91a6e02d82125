package io.quackrunner.temporal.worker;

import io.quackrunner.temporal.api.FailureTypes;
import io.quackrunner.temporal.api.QuackRunnerActivities;
import io.quackrunner.temporal.api.RunResult;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** The workflow of docs/TEMPORAL.md's example, with the activity options taken from the plan. */
public class ToolWorkflowImpl implements ToolWorkflow {
  @Override
  public Outcome execute(Plan plan) {
    QuackRunnerActivities runner =
        Workflow.newActivityStub(
            QuackRunnerActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(plan.startToCloseSeconds()))
                .setHeartbeatTimeout(Duration.ofSeconds(plan.heartbeatSeconds()))
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofMillis(200))
                        .setBackoffCoefficient(1.0)
                        .setMaximumAttempts(plan.maxAttempts())
                        .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
                        .build())
                .build());
    try {
      return new Outcome(runner.run(plan.request()), null, false);
    } catch (ActivityFailure f) {
      if (f.getCause() instanceof ApplicationFailure af) {
        // A refused request carries its problem document, a run that ended its RunResult.
        RunResult r =
            af.getType().startsWith(FailureTypes.PROBLEM_BASE)
                ? null
                : af.getDetails().get(RunResult.class);
        return new Outcome(r, af.getType(), af.isNonRetryable());
      }
      throw f;
    }
  }
}
