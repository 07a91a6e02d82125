package io.quackrunner.execution;

import io.quackrunner.sandbox.BubblewrapSandbox;

/**
 * Lets another thread cancel a run: before the sandbox starts (it then never starts) or while it
 * runs (it is killed, and its result says CANCELLED).
 */
public final class RunControl {
  private BubblewrapSandbox.Execution execution;
  private boolean cancelled;

  /** Cancels the run; idempotent. */
  public synchronized void cancel() {
    cancelled = true;
    if (execution != null) {
      execution.cancel();
    }
  }

  /** Returns whether {@link #cancel} was called. */
  public synchronized boolean cancelled() {
    return cancelled;
  }

  /** Attaches the started sandbox; returns false (and kills it) if already cancelled. */
  synchronized boolean attach(BubblewrapSandbox.Execution e) {
    execution = e;
    if (cancelled) {
      e.cancel();
      return false;
    }
    return true;
  }
}
