package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link RunStore}, run against every backend by a subclass that says how a store
 * is opened ({@code SqliteRunStoreTest}, {@code PostgresRunStoreIT}): several stores opened on one
 * database name share it, as several processes or nodes would.
 */
public abstract class RunStoreContract {
  /** Opens a store on the database called {@code name}, created empty on its first open. */
  protected abstract RunStore open(String name);

  /** Returns a queued record of tenant {@code tenant} holding {@code trigger}. */
  static RunRecord queued(String tenant, String trigger) {
    return RunRecord.queued(
        UUID.randomUUID().toString(),
        tenant,
        trigger,
        "req",
        "sh",
        "1",
        "run",
        "{}",
        Instant.now(),
        "1:0");
  }

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

  @Test
  void concurrentClaimsOnOneTriggerThroughSeparateConnectionsCreateOneRecord() throws Exception {
    List<RunStore> stores = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      stores.add(open("runs"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Claim>> claims = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      RunStore s = stores.get(i % stores.size());
      claims.add(
          pool.submit(
              (Callable<Claim>)
                  () -> {
                    go.await();
                    return s.claim(fresh("same"));
                  }));
    }
    go.countDown();
    int created = 0;
    String id = null;
    for (Future<Claim> f : claims) {
      Claim c = f.get();
      created += c.created() ? 1 : 0;
      id = id == null ? c.record().id() : id;
      assertThat(c.record().id()).isEqualTo(id);
    }
    pool.shutdown();
    assertThat(created).isEqualTo(1);
    assertThat(stores.get(0).count()).isEqualTo(1);
    stores.forEach(RunStore::close);
  }

  @Test
  void statusMovesOnceAndTerminalRecordsNeverChange() {
    try (RunStore s = open("runs")) {
      RunRecord r = s.claim(fresh("a")).record();
      assertThat(s.markRunning(r.id(), Instant.now())).isTrue();
      assertThat(s.markRunning(r.id(), Instant.now())).isFalse();
      Completion done =
          new Completion(
              RunStatus.FAILED,
              Instant.now(),
              3,
              null,
              ErrorKind.EXECUTION_FAILED,
              "exit code 3",
              "{}");
      assertThat(s.finishQueued(r.id(), done)).isFalse();
      assertThat(s.finish(r.id(), done)).isTrue();
      assertThat(s.finish(r.id(), done)).isFalse();
      assertThat(s.setReceipt(r.id(), "{\"r\":1}", 0L)).isTrue();
      assertThat(s.setReceipt(r.id(), "{\"r\":2}", 1L)).isFalse();
      RunRecord back = s.find(r.id()).orElseThrow();
      assertThat(back.status()).isEqualTo(RunStatus.FAILED);
      assertThat(back.exitCode()).isEqualTo(3);
      assertThat(back.errorKind()).isEqualTo(ErrorKind.EXECUTION_FAILED);
      assertThat(back.receiptJson()).isEqualTo("{\"r\":1}");
    }
  }

  @Test
  void aCancelRequestIsRecordedForARunningRunOnlyAndListedToItsOwnerUntilItEnds() {
    try (RunStore s = open("runs");
        RunStore other = open("runs")) {
      RunRecord mine = s.claim(fresh("mine")).record();
      RunRecord queued = s.claim(fresh("queued")).record();
      RunRecord foreign =
          s.claim(
                  RunRecord.queued(
                      UUID.randomUUID().toString(),
                      "t",
                      "foreign",
                      "req",
                      "sh",
                      "1",
                      "run",
                      "{}",
                      Instant.now(),
                      "2:0"))
              .record();
      assertThat(other.requestCancel(queued.id(), Instant.now()))
          .as("a queued run is cancelled by finishQueued, not by a request")
          .isFalse();
      assertThat(other.requestCancel("no-such-run", Instant.now())).isFalse();
      assertThat(s.markRunning(mine.id(), Instant.now())).isTrue();
      assertThat(s.markRunning(foreign.id(), Instant.now())).isTrue();
      assertThat(s.cancelRequests("1:0")).isEmpty();
      assertThat(other.requestCancel(mine.id(), Instant.now())).isTrue();
      assertThat(other.requestCancel(mine.id(), Instant.now())).as("asked twice").isTrue();
      assertThat(other.requestCancel(foreign.id(), Instant.now())).isTrue();
      assertThat(s.cancelRequests("1:0")).containsExactly(mine.id());
      assertThat(s.cancelRequests("2:0")).containsExactly(foreign.id());
      Completion cancelled =
          new Completion(RunStatus.CANCELLED, Instant.now(), null, null, null, null, null);
      assertThat(s.finish(mine.id(), cancelled)).isTrue();
      assertThat(s.cancelRequests("1:0")).as("ended").isEmpty();
      assertThat(other.requestCancel(mine.id(), Instant.now())).as("ended").isFalse();
      assertThat(s.find(mine.id()).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
    }
  }

  private static RunRecord at(String id, String tenant, String tool, Instant created) {
    return RunRecord.queued(
        id, tenant, "trigger-" + id, "req", tool, "1", "run", "{}", created, "1:0");
  }

  @Test
  void pageFiltersByStatusAndToolAndWalksACursorThatIgnoresOtherTenants() {
    try (RunStore s = open("page")) {
      Instant t0 = Instant.parse("2026-01-01T00:00:00.100Z");
      // Newest first: e (tie with d, larger id first), d, c, b, a; x belongs to another tenant.
      s.claim(at("a", "t", "sh", t0));
      s.claim(at("b", "t", "py", t0.plusMillis(1)));
      s.claim(at("c", "t", "sh", t0.plusMillis(2)));
      s.claim(at("d", "t", "sh", t0.plusMillis(3)));
      s.claim(at("e", "t", "py", t0.plusMillis(3)));
      s.claim(at("x", "u", "sh", t0.plusMillis(4)));
      s.markRunning("c", t0.plusMillis(5));
      List<String> walked = new ArrayList<>();
      String before = null;
      for (int i = 0; i < 5; i++) {
        List<RunRecord> page = s.page("t", null, null, before, 2);
        page.forEach(r -> walked.add(r.id()));
        if (page.size() < 2) {
          break;
        }
        before = page.get(page.size() - 1).id();
      }
      assertThat(walked).containsExactly("e", "d", "c", "b", "a");
      assertThat(s.page("t", null, "py", null, 10))
          .extracting(RunRecord::id)
          .containsExactly("e", "b");
      assertThat(s.page("t", RunStatus.RUNNING, null, null, 10))
          .extracting(RunRecord::id)
          .containsExactly("c");
      assertThat(s.page("t", RunStatus.QUEUED, "sh", "d", 10))
          .extracting(RunRecord::id)
          .containsExactly("a");
      assertThat(s.page("t", null, null, "x", 10)).as("another tenant's id as cursor").isEmpty();
      assertThat(s.page("u", null, null, null, 10)).extracting(RunRecord::id).containsExactly("x");
    }
  }
}
