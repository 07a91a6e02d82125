package io.quackrunner.service;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.CallbackRecord;
import io.quackrunner.store.Claim;
import io.quackrunner.store.NodeFenced;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.SharedQueue;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This node's side of the run queue shared by the nodes of one PostgreSQL database ({@link
 * SharedQueue}, docs/STORAGE.md "Queue"): admission against the global bound, and a claimer thread
 * that, whenever this node has a free execution slot, claims the oldest unclaimed run and hands it
 * to a local worker.
 *
 * <p>The claimer is woken by a notification on {@value SharedQueue#CHANNEL} (a listener thread
 * holds one connection in {@code LISTEN}), by a run accepted or ended here, and at the latest every
 * {@value #POLL_MS} ms: a lost LISTEN connection only costs latency, and after each reconnect the
 * claimer looks at once.
 */
final class QueueClaims implements AutoCloseable {
  /** The longest the claimer waits before looking at the queue again, in milliseconds. */
  static final long POLL_MS = 500;

  /** Whether new claimers listen (tests turn it off to measure polling alone). */
  static volatile boolean listen = true;

  private final SharedQueue shared;
  private final RunQueue local;
  private final String owner;
  private final int capacity;
  private final Consumer<String> handOver;
  private final Semaphore wake = new Semaphore(0);
  private volatile boolean closed;
  private final Thread claimer;
  private final Thread listener;

  /**
   * Starts claiming for this node.
   *
   * @param owner this node's owner value ({@code node:<id>:<epoch>})
   * @param capacity the most runs that may wait unclaimed across every node
   * @param handOver executes a run this node claimed, on the slot reserved for it ({@link
   *     RunWorker#enqueue} as admitted)
   */
  QueueClaims(
      SharedQueue shared, RunQueue local, String owner, int capacity, Consumer<String> handOver) {
    this.shared = shared;
    this.local = local;
    this.owner = owner;
    this.capacity = capacity;
    this.handOver = handOver;
    local.onDone(this::wake);
    this.claimer = Thread.ofPlatform().name("queue-claimer").daemon(true).start(this::claimLoop);
    this.listener =
        listen
            ? Thread.ofPlatform().name("queue-listener").daemon(true).start(this::listenLoop)
            : null;
  }

  /**
   * Queues a run for any node (owner {@link SharedQueue#UNCLAIMED}) within the global bound.
   *
   * @return the claim, or empty when {@code capacity} runs already wait (nothing written)
   */
  Optional<Claim> enqueue(RunRecord fresh, CallbackRecord callback) {
    return shared.enqueue(fresh, callback, capacity);
  }

  /** Returns the number of runs waiting unclaimed across every node. */
  long waiting() {
    return shared.waiting();
  }

  /** Returns whether an admission would find room now. */
  boolean accepts() {
    return shared.waiting() < capacity;
  }

  /** Has the claimer look at the queue now. */
  void wake() {
    wake.release();
  }

  private void claimLoop() {
    while (!closed) {
      try {
        wake.tryAcquire(POLL_MS, TimeUnit.MILLISECONDS);
        wake.drainPermits();
        fill();
      } catch (InterruptedException e) {
        return;
      } catch (NodeFenced e) {
        JsonLog.warn("queue.claims_stopped", "detail", e.getMessage());
        return; // declared dead: this node takes no more work
      } catch (RuntimeException e) {
        // The database may be unreachable for a moment; the next poll claims again.
        JsonLog.warn("queue.claim_failed", "detail", e.getMessage());
      }
    }
  }

  /** Claims runs while this node has free slots and runs wait. */
  private void fill() {
    while (!closed && local.reserveSlot()) {
      boolean handedOver = false;
      try {
        Optional<String> id = shared.claimNext(owner);
        if (id.isEmpty()) {
          return;
        }
        JsonLog.info("run.claimed", "run_id", id.get(), "owner", owner);
        handOver.accept(id.get());
        handedOver = true;
      } finally {
        if (!handedOver) {
          local.release();
        }
      }
    }
  }

  private void listenLoop() {
    while (!closed) {
      try (SharedQueue.Listener l = shared.listen()) {
        wake(); // notifications sent while not listening are lost: look now
        while (!closed) {
          if (l.await(POLL_MS) > 0) {
            wake();
          }
        }
      } catch (RunnerException e) {
        if (closed) {
          return;
        }
        JsonLog.warn("queue.listen_failed", "detail", e.getMessage());
        try {
          Thread.sleep(POLL_MS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Puts the runs this node claimed and did not start back in the queue, for another node to start;
   * called by a cleanly stopping node once its workers are stopped. A failure (the database
   * unreachable, this node fenced) is logged: the runs then stay QUEUED under this node and are
   * resumed by the node that next finds it retired or dead (docs/STORAGE.md "Queue").
   */
  void releaseClaimed() {
    try {
      for (String id : shared.releaseAll(owner)) {
        JsonLog.info("run.released", "run_id", id, "owner", owner);
      }
    } catch (RuntimeException e) {
      JsonLog.warn("queue.release_failed", "detail", e.getMessage());
    }
  }

  /** Stops claiming; runs claimed and not started stay QUEUED under this node (see STORAGE.md). */
  @Override
  public void close() {
    closed = true;
    claimer.interrupt();
    wake();
    try {
      claimer.join(5_000);
      if (listener != null) {
        listener.join(2 * POLL_MS + 1_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
