package io.quackrunner.store;

/** Where a run's receipt callback stands. */
public enum CallbackState {
  /** Waiting for the run's receipt, or for its next attempt. */
  PENDING,
  /** A receiver answered 2xx to one attempt; no further attempt is made. */
  DELIVERED,
  /** Given up: the retry time ran out, or the destination is no longer allowed. */
  FAILED
}
