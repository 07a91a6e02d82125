package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.NodeFenced;
import java.util.function.Supplier;

/**
 * Retries a run's own state change while the shared database is unreachable (a PostgreSQL restart,
 * a network cut): the run's outcome is known in memory and must be recorded once the database is
 * back, not dropped and not turned into a failure. A fenced node ({@link NodeFenced}) is never
 * retried: another node took its runs over.
 *
 * <p>Backoff: 100 ms, doubling to 2 s between attempts, for at most {@link #GIVE_UP_MS} ms; each
 * attempt itself waits up to the pool's connection timeout. A store write the database committed
 * but whose answer was lost is refused by its condition on the retry (the run is no longer in the
 * state it required), so no write is made twice.
 */
final class StoreRetry {
  /** How long a state change is retried before its error is thrown, in milliseconds. */
  static final long GIVE_UP_MS = 10 * 60_000;

  private StoreRetry() {}

  /**
   * Runs {@code op}, again while it throws a {@link RunnerException} of kind UNAVAILABLE that is
   * not a {@link NodeFenced}.
   *
   * @param what the change, for the log ({@code "finish"})
   * @param runId the run it belongs to, for the log
   * @return what {@code op} returned
   * @throws RunnerException from {@code op}: any other error at once, UNAVAILABLE after {@link
   *     #GIVE_UP_MS}, EXECUTION_FAILED when the thread is interrupted while waiting
   */
  static <T> T untilAvailable(String what, String runId, Supplier<T> op) {
    long deadline = System.nanoTime() + GIVE_UP_MS * 1_000_000;
    long pause = 100;
    boolean logged = false;
    while (true) {
      try {
        T t = op.get();
        if (logged) {
          JsonLog.info("store.available", "run_id", runId, "change", what);
        }
        return t;
      } catch (NodeFenced e) {
        throw e;
      } catch (RunnerException e) {
        if (e.kind() != ErrorKind.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        if (!logged) {
          JsonLog.warn(
              "store.unavailable", "run_id", runId, "change", what, "detail", e.getMessage());
          logged = true;
        }
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "interrupted retrying " + what + " of run " + runId);
      }
      pause = Math.min(2_000, pause * 2);
    }
  }
}
