package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduling of one process: at most {@code concurrency} runs execute at once on worker
 * threads, and at most {@code concurrency + capacity} accepted runs are pending (executing or
 * waiting); beyond that admission is refused, which the service answers with {@link
 * ErrorKind#BUSY}.
 *
 * <p>The bound is this process's; what is queued lives in the run store as QUEUED records, so a run
 * accepted here and not yet started survives the process and is resumed by {@link RunRecovery}.
 * Worker threads are started on the first run handed over, never for a process that only executes
 * on its own thread ({@code runner exec}).
 */
final class RunQueue {
  private final int concurrency;
  private final int capacity;
  private final ThreadPoolExecutor workers;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private volatile Runnable onDone = () -> {};

  /**
   * Creates a queue.
   *
   * @param concurrency runs executed at once, at least 1
   * @param capacity runs accepted but waiting, at least 0
   * @throws RunnerException of kind CONFIGURATION for a smaller concurrency or capacity
   */
  RunQueue(int concurrency, int capacity) {
    if (concurrency < 1 || capacity < 0) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "concurrency must be at least 1 and the queue at least 0");
    }
    this.concurrency = concurrency;
    this.capacity = capacity;
    this.workers =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("run-worker-", 0).daemon(true).factory());
  }

  /** Returns the number of waiting runs (accepted, not started) beyond which admission fails. */
  int capacity() {
    return capacity;
  }

  /**
   * Takes a pending slot if one is free; a caller that got one either hands a run over with {@link
   * #execute} or gives the slot back with {@link #release}.
   *
   * @return false (and nothing taken) when every slot is taken
   */
  boolean admit() {
    if (pending.incrementAndGet() > concurrency + capacity) {
      pending.decrementAndGet();
      return false;
    }
    return true;
  }

  /**
   * Takes an execution slot, only when fewer runs are pending here than run at once: a run handed
   * over with it ({@link #execute} with {@code admitted}) starts at once. For a node of a shared
   * queue, which keeps a run only when it can start it.
   */
  boolean reserveSlot() {
    if (pending.incrementAndGet() > concurrency) {
      pending.decrementAndGet();
      return false;
    }
    return true;
  }

  /**
   * Gives back a slot taken by {@link #admit} or {@link #reserveSlot} for a run not handed over.
   */
  void release() {
    pending.decrementAndGet();
  }

  /**
   * Hands a run to a worker thread; its body must end with {@link #done}. A resumed run (taken over
   * from a dead process) is handed over without {@link #admit}: it was admitted by that process.
   */
  void execute(Runnable run, boolean admitted) {
    if (!admitted) {
      pending.incrementAndGet();
    }
    workers.execute(run);
  }

  /** Counts a handed-over run as executing. */
  void started() {
    running.incrementAndGet();
  }

  /**
   * Ends a handed-over run's slot.
   *
   * @param started whether {@link #started} was called for it
   */
  void done(boolean started) {
    if (started) {
      running.decrementAndGet();
    }
    pending.decrementAndGet();
    onDone.run();
  }

  /** Returns the number of accepted runs waiting to start. */
  int depth() {
    return Math.max(0, pending.get() - running.get());
  }

  /**
   * Has {@code r} called after every run handed over ends (it wakes the shared queue's claimer, so
   * a freed slot is filled at once).
   */
  void onDone(Runnable r) {
    this.onDone = r;
  }

  /** Returns whether {@link #admit} would succeed now. */
  boolean accepts() {
    return pending.get() < concurrency + capacity;
  }

  /** Returns the number of runs executing on worker threads. */
  int running() {
    return running.get();
  }

  /**
   * Stops: runs not yet started are dropped (they stay QUEUED in the store), running ones get up to
   * 10 s to end, then {@code cancelAll} is called and they get 10 s more.
   *
   * @return whether every worker thread has ended (no run of this queue can still start)
   */
  boolean close(Runnable cancelAll) {
    workers.getQueue().clear();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        cancelAll.run();
        return workers.awaitTermination(10, TimeUnit.SECONDS);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
