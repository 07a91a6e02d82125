package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.execution.RunStatus;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link CallbackOutbox}, run against every backend by a subclass ({@code
 * SqliteCallbackOutboxTest}, {@code PostgresCallbackOutboxIT}), through two stores on one database
 * (as two processes or nodes would have): the callback is written with its run's claim, becomes due
 * only with the receipt, and each attempt is leased by one owner only.
 */
public abstract class CallbackOutboxContract {
  /** Opens a run store on the database called {@code name}, created empty on its first open. */
  protected abstract RunStore open(String name);

  private static RunRecord fresh(String trigger) {
    return RunRecord.queued(
        UUID.randomUUID().toString(),
        "t",
        trigger,
        "req",
        "sh",
        "1",
        "run",
        "{}",
        Instant.now(),
        "1:0");
  }

  private static Completion done() {
    return new Completion(RunStatus.SUCCEEDED, Instant.now(), 0, null, null, null, null);
  }

  @Test
  void theCallbackIsWrittenWithTheClaimAndALosingClaimAddsNone() {
    try (RunStore s = open("runs")) {
      RunRecord a = fresh("k");
      assertThat(s.claim(a, CallbackRecord.pending(a.id(), "http://x/", "127.0.0.1")).created())
          .isTrue();
      RunRecord b = fresh("k");
      Claim lost = s.claim(b, CallbackRecord.pending(b.id(), "http://y/", "127.0.0.1"));
      assertThat(lost.created()).isFalse();
      assertThat(lost.record().id()).isEqualTo(a.id());
      assertThat(s.callbacks().find(b.id())).isEmpty();
      assertThat(s.callbacks().find(a.id()).orElseThrow().state()).isEqualTo(CallbackState.PENDING);
      assertThat(s.callbacks().count(CallbackState.PENDING)).isEqualTo(1);
    }
  }

  @Test
  void aCallbackIsDueOnlyOnceItsRunHasItsReceiptAndOneOwnerLeasesEachAttempt() {
    try (RunStore one = open("runs");
        RunStore two = open("runs")) {
      RunRecord r = fresh("due");
      one.claim(r, CallbackRecord.pending(r.id(), "http://x/", "127.0.0.1"));
      long now = System.currentTimeMillis();
      assertThat(one.callbacks().due(now, 10)).isEmpty();
      one.markRunning(r.id(), Instant.now());
      one.finish(r.id(), done());
      assertThat(one.callbacks().due(now, 10)).isEmpty();
      one.setReceipt(r.id(), "{\"payload\":\"e\"}", 0L);
      CallbackRecord due = two.callbacks().due(now, 10).get(0);
      assertThat(due.receiptJson()).isEqualTo("{\"payload\":\"e\"}");

      var a = one.callbacks().lease(r.id(), 0, "A", now, now + 10_000, now + 60_000);
      var b = two.callbacks().lease(r.id(), 0, "B", now, now + 10_000, now + 60_000);
      assertThat(a).isPresent();
      assertThat(b).isEmpty();
      assertThat(a.get().attempts()).isEqualTo(1);
      assertThat(a.get().deadlineAtMs()).isEqualTo(now + 60_000);
      // Leased: not due for anyone until the lease expires (its owner may have died mid-attempt).
      assertThat(two.callbacks().due(now + 5_000, 10)).isEmpty();
      assertThat(two.callbacks().due(now + 10_001, 10)).hasSize(1);

      one.callbacks().failed(r.id(), "A", "HTTP 503", now + 1_000, false);
      CallbackRecord f = two.callbacks().find(r.id()).orElseThrow();
      assertThat(f.lastError()).isEqualTo("HTTP 503");
      assertThat(f.state()).isEqualTo(CallbackState.PENDING);
      assertThat(two.callbacks().due(now + 500, 10)).isEmpty();
      assertThat(two.callbacks().due(now + 1_000, 10)).hasSize(1);

      var c = two.callbacks().lease(r.id(), 1, "B", now + 1_000, now + 11_000, now + 99_999);
      assertThat(c.orElseThrow().deadlineAtMs())
          .as("the first deadline stays")
          .isEqualTo(now + 60_000);
      // A stale owner's report changes nothing.
      one.callbacks().delivered(r.id(), "A", now + 2_000);
      assertThat(one.callbacks().find(r.id()).orElseThrow().state())
          .isEqualTo(CallbackState.PENDING);
      two.callbacks().delivered(r.id(), "B", now + 2_000);
      CallbackRecord d = one.callbacks().find(r.id()).orElseThrow();
      assertThat(d.state()).isEqualTo(CallbackState.DELIVERED);
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(d.lastError()).isNull();
      assertThat(one.callbacks().due(now + 100_000, 10)).isEmpty();
    }
  }

  @Test
  void aCallbackIsGivenUpOnlyWithoutALiveLease() {
    try (RunStore s = open("runs")) {
      RunRecord r = fresh("give-up");
      s.claim(r, CallbackRecord.pending(r.id(), "http://x/", "127.0.0.1"));
      long now = System.currentTimeMillis();
      s.callbacks().lease(r.id(), 0, "A", now, now + 10_000, now + 20_000);
      s.callbacks().giveUp(r.id(), 1, "gave up", now + 1_000);
      assertThat(s.callbacks().find(r.id()).orElseThrow().state()).isEqualTo(CallbackState.PENDING);
      s.callbacks().giveUp(r.id(), 1, "gave up", now + 10_001);
      CallbackRecord g = s.callbacks().find(r.id()).orElseThrow();
      assertThat(g.state()).isEqualTo(CallbackState.FAILED);
      assertThat(g.lastError()).isEqualTo("gave up");
    }
  }
}
