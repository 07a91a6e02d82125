package io.quackrunner.store;

/**
 * A run's receipt callback as kept in the outbox of the run store ({@link CallbackOutbox}).
 *
 * @param runId the run's execution id
 * @param url the destination URL as the caller gave it
 * @param address the address its host resolved to at submission (delivery connects there)
 * @param state where delivery stands
 * @param attempts attempts started so far
 * @param lastError one line on why the last attempt did not deliver, or null
 * @param nextAttemptAtMs when the next attempt may start, epoch milliseconds, or null for as soon
 *     as the run has its receipt
 * @param deadlineAtMs when delivery is given up, epoch milliseconds, or null before the first
 *     attempt
 * @param receiptJson the run's receipt envelope, when read for delivery, else null
 */
public record CallbackRecord(
    String runId,
    String url,
    String address,
    CallbackState state,
    int attempts,
    String lastError,
    Long nextAttemptAtMs,
    Long deadlineAtMs,
    String receiptJson) {

  /** Returns a new PENDING callback that no attempt has touched. */
  public static CallbackRecord pending(String runId, String url, String address) {
    return new CallbackRecord(
        runId, url, address, CallbackState.PENDING, 0, null, null, null, null);
  }
}
