package io.quackrunner.temporal.worker;

import io.quackrunner.service.JsonLog;
import io.temporal.activity.ActivityInfo;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;

/**
 * Tells a workflow's request to cancel an activity apart from an attempt that is merely gone.
 *
 * <p>The SDK reports both the same way ({@code ActivityCanceledException} from a heartbeat): an
 * attempt that outlived its heartbeat or start-to-close timeout is "cancelled" too, while its next
 * attempt, perhaps on another worker, awaits the very same run. Killing the run then would turn a
 * lost attempt into a CANCELLED run nobody asked for, so the worker asks the server
 * (DescribeWorkflowExecution) whether the activity's pending state is {@code CANCEL_REQUESTED}.
 */
final class CancelRequests {
  private final WorkflowServiceStubs stubs;

  /**
   * Creates the check.
   *
   * @param stubs the worker's connection to the Temporal frontend
   */
  CancelRequests(WorkflowServiceStubs stubs) {
    this.stubs = stubs;
  }

  /**
   * Returns whether the workflow asked to cancel this activity; false when the activity is no
   * longer pending, a later attempt exists without a cancel request, or the server cannot say (then
   * the run goes on: a run left running is never a second execution).
   */
  boolean requested(ActivityInfo info) {
    try {
      var resp =
          stubs
              .blockingStub()
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(info.getNamespace())
                      .setExecution(
                          WorkflowExecution.newBuilder()
                              .setWorkflowId(info.getWorkflowId())
                              .setRunId(info.getRunId()))
                      .build());
      for (PendingActivityInfo p : resp.getPendingActivitiesList()) {
        if (p.getActivityId().equals(info.getActivityId())) {
          return p.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED;
        }
      }
      return false;
    } catch (RuntimeException e) {
      JsonLog.warn(
          "temporal.cancel_unknown",
          "workflow_id",
          info.getWorkflowId(),
          "activity_id",
          info.getActivityId(),
          "detail",
          String.valueOf(e));
      return false;
    }
  }
}
