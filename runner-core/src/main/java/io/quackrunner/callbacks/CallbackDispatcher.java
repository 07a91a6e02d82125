package io.quackrunner.callbacks;

import io.quackrunner.store.CallbackOutbox;
import io.quackrunner.store.CallbackRecord;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Delivers receipt callbacks from a {@link CallbackOutbox}, at least once: polls for due callbacks
 * (and is woken when a receipt is recorded), leases each attempt, POSTs the receipt envelope with a
 * {@link CallbackTransport}, and records the outcome. A failed attempt is retried after {@link
 * Backoff} until {@link CallbackPolicy#giveUpAfter()} has passed since the first attempt; then the
 * callback is FAILED. Attempts cut off by a crash are retried by any process once their lease
 * expires.
 */
public final class CallbackDispatcher implements AutoCloseable {
  private static final long POLL_MS = 500;
  private static final long LEASE_MARGIN_MS = 5_000;
  private static final int BATCH = 32;

  /** Observes attempts, e.g. for logs and metrics; methods must not block. */
  public interface Listener {
    /** An observer that ignores everything. */
    Listener NONE = new Listener() {};

    /**
     * Called after each attempt.
     *
     * @param runId the run whose receipt was sent
     * @param attempts attempts so far, this one included
     * @param status the HTTP status, or 0 when no response arrived
     * @param error why it did not deliver, or null when it delivered
     * @param gaveUp whether the callback was given up after it
     */
    default void attempted(String runId, int attempts, int status, String error, boolean gaveUp) {}

    /** Called when a callback is given up without another attempt, with the reason. */
    default void gaveUp(String runId, String reason) {}

    /** Called when a polling round failed (e.g. the database is unavailable). */
    default void roundFailed(RuntimeException e) {}
  }

  private final CallbackOutbox outbox;
  private final CallbackPolicy policy;
  private final CallbackTransport transport;
  private final String owner;
  private final Listener listener;
  private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
  private final Semaphore wake = new Semaphore(0);
  private static final int MAX_IN_FLIGHT = 16;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final Thread loop;
  private volatile boolean open = true;

  /**
   * Creates and starts a dispatcher.
   *
   * @param owner the id of this process, recorded in leases
   */
  public CallbackDispatcher(
      CallbackOutbox outbox,
      CallbackPolicy policy,
      CallbackTransport transport,
      String owner,
      Listener listener) {
    this.outbox = outbox;
    this.policy = policy;
    this.transport = transport;
    this.owner = owner;
    this.listener = listener == null ? Listener.NONE : listener;
    this.loop = Thread.ofPlatform().name("callbacks").daemon(true).start(this::run);
  }

  /** Makes the dispatcher look for due callbacks now (a receipt was just recorded). */
  public void wake() {
    wake.release();
  }

  private void run() {
    while (open) {
      try {
        round();
      } catch (RuntimeException e) {
        listener.roundFailed(e);
      }
      try {
        wake.tryAcquire(POLL_MS, TimeUnit.MILLISECONDS);
        wake.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void round() {
    long now = System.currentTimeMillis();
    for (CallbackRecord c : outbox.due(now, BATCH)) {
      if (!open) {
        return;
      }
      if (c.deadlineAtMs() != null && now > c.deadlineAtMs()) {
        outbox.giveUp(c.runId(), c.attempts(), gaveUpLine(c), now);
        listener.gaveUp(c.runId(), gaveUpLine(c));
        continue;
      }
      CallbackTarget t = target(c);
      String refused = t == null ? "the stored address is malformed" : policy.recheck(t);
      if (refused != null) {
        String why = "destination no longer allowed: " + refused;
        outbox.giveUp(c.runId(), c.attempts(), why, now);
        listener.gaveUp(c.runId(), why);
        continue;
      }
      CallbackPolicy.Timeouts to = policy.timeouts();
      long lease = now + to.connect().toMillis() + to.read().toMillis() + LEASE_MARGIN_MS;
      Optional<CallbackRecord> leased =
          outbox.lease(
              c.runId(), c.attempts(), owner, now, lease, now + policy.giveUpAfter().toMillis());
      if (leased.isEmpty()) {
        continue;
      }
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      CallbackRecord l = leased.get();
      byte[] body = c.receiptJson().getBytes(StandardCharsets.UTF_8);
      Thread.ofVirtual()
          .name("callback-" + c.runId())
          .start(
              () -> {
                try {
                  attempt(l, t, body);
                } finally {
                  inFlight.release();
                }
              });
    }
  }

  private void attempt(CallbackRecord c, CallbackTarget t, byte[] body) {
    CallbackTransport.Attempt a;
    try {
      a = transport.post(t, body, c.runId(), policy.timeouts());
    } catch (RuntimeException e) {
      a = new CallbackTransport.Attempt(0, "internal error: " + e);
    }
    long now = System.currentTimeMillis();
    if (a.delivered()) {
      outbox.delivered(c.runId(), owner, now);
      listener.attempted(c.runId(), c.attempts(), a.status(), null, false);
      return;
    }
    long next = now + policy.backoff().delayMs(c.attempts(), random);
    boolean giveUp = c.deadlineAtMs() != null && next > c.deadlineAtMs();
    String error = giveUp ? "gave up after " + c.attempts() + " attempts: " + a.error() : a.error();
    outbox.failed(c.runId(), owner, error, next, giveUp);
    listener.attempted(c.runId(), c.attempts(), a.status(), a.error(), giveUp);
  }

  private String gaveUpLine(CallbackRecord c) {
    return "gave up after "
        + c.attempts()
        + " attempts in "
        + policy.giveUpAfter()
        + (c.lastError() == null ? "" : ": " + c.lastError());
  }

  private static CallbackTarget target(CallbackRecord c) {
    try {
      if (!CallbackPolicy.isLiteral(c.address())) {
        return null;
      }
      // An address literal: InetAddress parses it without any lookup.
      return new CallbackTarget(URI.create(c.url()), InetAddress.getByName(c.address()));
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Stops polling and waits for the attempts in flight (each bounded by the policy's timeouts); an
   * attempt still unfinished then is retried by the next process once its lease expires.
   */
  @Override
  public void close() {
    open = false;
    loop.interrupt();
    CallbackPolicy.Timeouts to = policy.timeouts();
    try {
      loop.join(5_000);
      inFlight.tryAcquire(
          MAX_IN_FLIGHT,
          to.connect().toMillis() + to.read().toMillis() + 1_000,
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
