package io.quackrunner.store;

import java.util.List;
import java.util.Optional;

/**
 * The outbox of receipt callbacks, kept in the run store beside the runs so that a callback is
 * recorded in the same transaction as the run it belongs to ({@link RunStore#claim(RunRecord,
 * CallbackRecord)}) and survives restarts and {@code kill -9}: delivery is at least once.
 *
 * <p>An attempt is leased before it starts: the lease names the process and an expiry, and counts
 * the attempt and sets the time of the next one, so a process that dies mid-attempt leaves a row
 * any process retries once the lease expires. Implementations must make {@link #lease} atomic
 * across processes sharing the store.
 */
public interface CallbackOutbox {
  /** Returns the callback of a run, if it has one. */
  Optional<CallbackRecord> find(String runId);

  /**
   * Returns PENDING callbacks whose run has its receipt, whose next attempt is due at {@code nowMs}
   * and whose lease is free or expired, with {@link CallbackRecord#receiptJson()} filled in; at
   * most {@code limit}, the longest waiting first.
   */
  List<CallbackRecord> due(long nowMs, int limit);

  /**
   * Leases the next attempt of a callback that still has {@code attempts} attempts.
   *
   * @param owner the leasing process
   * @param nowMs now, epoch milliseconds
   * @param leaseUntilMs when the lease expires (also the earliest next attempt, should the leasing
   *     process die)
   * @param deadlineAtMs the deadline to set when none is set yet (the first attempt)
   * @return the leased record (attempts counted, deadline set), or empty when another process
   *     leased or finished it first
   */
  Optional<CallbackRecord> lease(
      String runId, int attempts, String owner, long nowMs, long leaseUntilMs, long deadlineAtMs);

  /** Records that an attempt leased by {@code owner} delivered. */
  void delivered(String runId, String owner, long atMs);

  /**
   * Records a failed attempt leased by {@code owner} and frees its lease.
   *
   * @param nextAttemptAtMs when the next attempt may start, epoch milliseconds
   * @param giveUp true to stop retrying (state FAILED)
   */
  void failed(String runId, String owner, String error, long nextAttemptAtMs, boolean giveUp);

  /**
   * Gives a PENDING callback up without another attempt (its deadline passed, or its destination is
   * no longer allowed), unless another process holds a live lease on it or it no longer has {@code
   * attempts}.
   */
  void giveUp(String runId, int attempts, String error, long nowMs);

  /** Returns how many callbacks are in a state. */
  long count(CallbackState state);
}
