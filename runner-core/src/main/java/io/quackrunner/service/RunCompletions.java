package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Waiting for runs to end: a future per awaited run, completed by this process when it finishes the
 * run and has recorded its receipt, or by a watcher polling the {@link RunStore} every {@value
 * #POLL_MS} ms for a run another process owns (or that waits unclaimed in the shared queue), once
 * that run is terminal with its receipt. A watcher that finds the owner dead hands the run to
 * recovery ({@link RunRecovery#recoverOne}), so a waiter is never left behind by a crash.
 */
final class RunCompletions {
  static final long POLL_MS = 50;

  private final RunStore store;
  private final String owner;
  private final Consumer<RunRecord> abandoned;
  private final java.util.function.Predicate<String> alive;
  private final boolean receipted;
  private final Map<String, CompletableFuture<RunRecord>> waiting = new ConcurrentHashMap<>();
  private final Set<String> watched = ConcurrentHashMap.newKeySet();

  /**
   * Creates the completions of one process.
   *
   * @param owner this process's owner id ({@link NodeRegistry#join})
   * @param alive whether an owner id is alive ({@link NodeRegistry#alive})
   * @param abandoned called with a non-terminal run whose owner process is gone
   * @param receipted whether runs get receipts: then a watched run is complete once its receipt is
   *     recorded, not at its terminal write (its owner writes the receipt just after), so a waiter
   *     on any node sees what a waiter on the owner sees
   */
  RunCompletions(
      RunStore store,
      String owner,
      java.util.function.Predicate<String> alive,
      Consumer<RunRecord> abandoned,
      boolean receipted) {
    this.store = store;
    this.owner = owner;
    this.alive = alive;
    this.abandoned = abandoned;
    this.receipted = receipted;
  }

  /**
   * Returns a future completed with the run's terminal record as soon as it is written with its
   * receipt (when runs get receipts).
   *
   * @throws RunnerException of kind NOT_FOUND when there is no such run
   */
  CompletableFuture<RunRecord> of(String id) {
    CompletableFuture<RunRecord> f = waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
    RunRecord r =
        store.find(id).orElseThrow(() -> new RunnerException(ErrorKind.NOT_FOUND, "no run " + id));
    if (r.status().isTerminal() && (r.receiptJson() != null || !receipted)) {
      waiting.remove(id, f);
      f.complete(r);
    } else if (!r.owner().equals(owner)) {
      watch(id);
    }
    // else: this process's run, which its finisher completes once the receipt is recorded
    return f;
  }

  /** Waits at most {@code timeout} for a run to end and returns its latest record. */
  RunRecord await(String id, Duration timeout) {
    try {
      return of(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return store.find(id).orElseThrow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return store.find(id).orElseThrow();
    } catch (ExecutionException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "waiting for run " + id + ": " + e.getCause());
    }
  }

  /** Completes the waiters of a run that just became terminal. */
  void complete(String id, RunRecord terminal) {
    CompletableFuture<RunRecord> f = waiting.remove(id);
    if (f != null) {
      f.complete(terminal);
    }
  }

  private void watch(String id) {
    if (!watched.add(id)) {
      return;
    }
    Thread.ofVirtual()
        .name("watch-" + id)
        .start(
            () -> {
              try {
                while (true) {
                  RunRecord r = store.find(id).orElseThrow();
                  if (r.status().isTerminal()
                      && (r.receiptJson() != null || !receipted || !alive.test(r.owner()))) {
                    complete(id, r); // with its receipt, or its owner died before recording one
                    return;
                  }
                  if (r.owner().equals(owner)) {
                    return; // claimed or taken over: this process completes it after its receipt
                  }
                  if (!r.status().isTerminal() && !alive.test(r.owner())) {
                    abandoned.accept(r);
                  }
                  // A terminal run without its receipt yet: its live owner is recording it.
                  Thread.sleep(POLL_MS);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                watched.remove(id);
              }
            });
  }
}
