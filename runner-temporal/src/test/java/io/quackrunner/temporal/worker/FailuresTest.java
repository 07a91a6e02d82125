package io.quackrunner.temporal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.temporal.api.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The failure table: every error kind's type and retryability, and the published list. */
class FailuresTest {
  @Test
  void everyRefusalIsTypedWithItsProblemTypeAndRetryableOnlyForTheRunnersOwnConditions() {
    for (ErrorKind k : ErrorKind.values()) {
      ApplicationFailure f = Failures.rejected(new RunnerException(k, "x"));
      assertThat(f.getType()).as(k.name()).isEqualTo(k.typeUri());
      assertThat(f.isNonRetryable()).as(k.name()).isEqualTo(!Failures.RETRYABLE.contains(k));
      assertThat(FailureTypes.NON_RETRYABLE.contains(k.typeUri()))
          .as("FailureTypes.NON_RETRYABLE lists %s exactly when the worker marks it so", k)
          .isEqualTo(f.isNonRetryable());
    }
  }

  @Test
  void thePublishedListHoldsOnlyRealStatusesAndProblemTypes() {
    Set<String> known = new HashSet<>();
    Arrays.stream(ErrorKind.values()).forEach(k -> known.add(k.typeUri()));
    Arrays.stream(RunStatus.values()).forEach(s -> known.add(s.name()));
    known.add(FailureTypes.ARTIFACT_VIOLATION);
    known.add(FailureTypes.INVALID_TRIGGER);
    assertThat(known).containsAll(FailureTypes.NON_RETRYABLE);
    assertThat(FailureTypes.NON_RETRYABLE).doesNotHaveDuplicates();
    assertThat(FailureTypes.PROBLEM_BASE).isEqualTo(ErrorKind.TYPE_BASE);
    for (String t :
        new String[] {
          FailureTypes.UNKNOWN_TOOL,
          FailureTypes.UNKNOWN_FIELD,
          FailureTypes.SCHEMA_VIOLATION,
          FailureTypes.USAGE,
          FailureTypes.NOT_FOUND,
          FailureTypes.FORBIDDEN,
          FailureTypes.INVALID_TRIGGER_PROBLEM,
          FailureTypes.IDEMPOTENCY_KEY_REUSED,
          FailureTypes.CONFLICT,
          FailureTypes.TOO_LARGE,
          FailureTypes.BUSY
        }) {
      assertThat(known).as(t).contains(t);
    }
  }
}
