package io.quackrunner.service;

import io.quackrunner.execution.RunControl;
import io.quackrunner.store.RunStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Carries out the cancellations other processes asked for ({@link RunStore#requestCancel}): every
 * {@value #POLL_MS} ms, while this process executes at least one run, one indexed query reads the
 * ids of its RUNNING runs with a request, and each one's {@link RunControl} is cancelled. The kill
 * is repeated at every poll until the run has left RUNNING, as {@link RunService#cancel} repeats it
 * for a local cancel (a kill issued while the launcher is still joining its cgroup can miss the
 * command). The run then ends CANCELLED through this process, which issues its one receipt.
 *
 * <p>Polling rather than PostgreSQL's LISTEN/NOTIFY: it works the same on the embedded SQLite store
 * (another process on one state directory), needs no connection held aside, and costs no query
 * while this process executes nothing.
 */
final class RunCancels implements AutoCloseable {
  /** How often requests are read while runs execute here, in milliseconds. */
  static final long POLL_MS = 200;

  private final RunStore store;
  private final String owner;
  private final Map<String, RunControl> controls;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService poll;

  /**
   * Starts polling for the runs of {@code owner}.
   *
   * @param controls the controls of the runs executing in this process, by run id
   */
  RunCancels(RunStore store, String owner, Map<String, RunControl> controls) {
    this.store = store;
    this.owner = owner;
    this.controls = controls;
    this.poll =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cancel-requests").daemon(true).factory());
    poll.scheduleWithFixedDelay(this::tick, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    if (controls.isEmpty()) {
      logged.clear();
      return;
    }
    List<String> ids;
    try {
      ids = store.cancelRequests(owner);
    } catch (RuntimeException e) {
      // The database may be unreachable for a moment; the next poll asks again.
      JsonLog.warn("run.cancel_poll_failed", "detail", e.getMessage());
      return;
    }
    for (String id : ids) {
      RunControl c = controls.get(id);
      if (c == null) {
        continue; // ending right now, or a run this process no longer executes
      }
      c.cancel();
      if (logged.add(id)) {
        JsonLog.info("run.cancel", "run_id", id, "requested_elsewhere", true);
      }
    }
    logged.retainAll(controls.keySet());
  }

  /** Stops polling. */
  @Override
  public void close() {
    poll.shutdownNow();
  }
}
