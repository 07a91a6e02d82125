package io.quackrunner.service;

import io.quackrunner.callbacks.CallbackDispatcher;
import io.quackrunner.callbacks.CallbackPolicy;
import io.quackrunner.callbacks.CallbackTarget;
import io.quackrunner.callbacks.CallbackTransport;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.RunStore;
import java.nio.file.Path;

/**
 * The receipt callbacks of one service: the operator's allow-list ({@code callbacks.yaml}, read on
 * first use), the check of a request's callback URL, and the dispatcher that delivers from the
 * store's outbox once a front-end supplies a transport.
 */
final class RunCallbacks {
  private final RunStore store;
  private final String owner;
  private final Path stateDir;
  private final boolean issuesReceipts;
  private CallbackPolicy policy;
  private volatile CallbackDispatcher dispatcher;

  /**
   * Creates the callbacks of a service.
   *
   * @param owner this process's owner id, the dispatcher's lease holder
   * @param issuesReceipts whether the service issues receipts (without, no callback is accepted)
   */
  RunCallbacks(RunStore store, String owner, Path stateDir, boolean issuesReceipts) {
    this.store = store;
    this.owner = owner;
    this.stateDir = stateDir;
    this.issuesReceipts = issuesReceipts;
  }

  /**
   * Returns the operator's callback policy, reading it on the first call.
   *
   * @throws RunnerException of kind CONFIGURATION for a bad {@code callbacks.yaml}
   */
  synchronized CallbackPolicy policy() {
    if (policy == null) {
      policy = CallbackPolicy.load(stateDir);
    }
    return policy;
  }

  /**
   * Checks a callback URL against the operator's allow-list and resolves its host once; the address
   * it returns is the one delivery connects to.
   *
   * @return the target, or null for no URL
   * @throws RunnerException of kind CALLBACK_REFUSED when the URL is not allowed
   */
  CallbackTarget check(String url) {
    if (url == null) {
      return null;
    }
    if (!issuesReceipts) {
      throw new RunnerException(
          ErrorKind.CALLBACK_REFUSED, "this runner issues no receipts, so it sends no callbacks");
    }
    return policy().check(url);
  }

  /** Starts delivery with a transport; see {@link RunService#deliverCallbacks}. */
  void deliver(CallbackTransport transport, CallbackDispatcher.Listener listener) {
    CallbackDispatcher.Listener l = listener == null ? CallbackDispatcher.Listener.NONE : listener;
    dispatcher =
        new CallbackDispatcher(
            store.callbacks(),
            policy(),
            transport,
            owner,
            new CallbackDispatcher.Listener() {
              @Override
              public void attempted(
                  String runId, int attempts, int status, String error, boolean gaveUp) {
                JsonLog.info(
                    error == null
                        ? "callback.delivered"
                        : gaveUp ? "callback.gave_up" : "callback.failed",
                    "run_id",
                    runId,
                    "attempts",
                    attempts,
                    "status",
                    status,
                    "error",
                    error);
                l.attempted(runId, attempts, status, error, gaveUp);
              }

              @Override
              public void gaveUp(String runId, String reason) {
                JsonLog.info("callback.gave_up", "run_id", runId, "error", reason);
                l.gaveUp(runId, reason);
              }

              @Override
              public void roundFailed(RuntimeException e) {
                JsonLog.warn("callback.round_failed", "detail", String.valueOf(e));
                l.roundFailed(e);
              }
            });
  }

  /** Wakes delivery after a receipt was recorded; does nothing before {@link #deliver}. */
  void wake() {
    CallbackDispatcher d = dispatcher;
    if (d != null) {
      d.wake();
    }
  }

  /** Stops delivery. */
  void close() {
    CallbackDispatcher d = dispatcher;
    if (d != null) {
      d.close();
    }
  }
}
