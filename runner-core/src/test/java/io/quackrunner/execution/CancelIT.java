package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A cancel at any moment, even before the launcher joined its cgroup, ends the run CANCELLED. */
class CancelIT {
  @Test
  void cancelAtAnyMomentStopsTheRun() throws Exception {
    ExecHarness h = new ExecHarness();
    for (long delayMicros : new long[] {0, 200, 1_000, 3_000, 10_000, 50_000}) {
      RunControl control = new RunControl();
      Executor.Prepared p =
          h.executor.prepare(
              new ExecRequest(
                  null,
                  List.of("sleep", "30"),
                  null,
                  null,
                  h.newOut(),
                  Map.of(),
                  LimitsRequest.DEFAULTS));
      CompletableFuture<ExecutionResult> f =
          CompletableFuture.supplyAsync(() -> h.executor.execute(p, LogListener.NONE, control));
      TimeUnit.MICROSECONDS.sleep(delayMicros);
      control.cancel();
      ExecutionResult r = f.get(20, TimeUnit.SECONDS);
      assertThat(r.status()).as("cancel after %d µs", delayMicros).isEqualTo(RunStatus.CANCELLED);
      assertThat(r.wallTimeMs()).isLessThan(10_000);
    }
  }
}
