package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.execution.RunStatus;
import io.quackrunner.testing.PostgresDatabases;
import io.quackrunner.testing.PostgresExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SharedQueue} on PostgreSQL (PostgreSQL only: the embedded store's queue is each process's
 * own): the bound under concurrent admissions through separate pools, one statement per claim with
 * every run claimed exactly once, oldest first, a release back to the queue, and fencing.
 */
class PostgresSharedQueueIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private final PostgresDatabases dbs = new PostgresDatabases(PG);

  private RunStore open() {
    try (PostgresDatabase db = dbs.open("queue")) {
      return PostgresRunStore.open(db);
    }
  }

  private static RunRecord unclaimed(String trigger, Instant at) {
    return RunRecord.queued(
        UUID.randomUUID().toString(),
        "t",
        trigger,
        "req",
        "sh",
        "1",
        "run",
        "{}",
        at,
        SharedQueue.UNCLAIMED);
  }

  @RepeatedTest(5)
  void concurrentAdmissionsOfFourStoresNeverExceedTheBound() throws Exception {
    List<RunStore> stores = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stores.add(open());
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> tries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      SharedQueue q = stores.get(i % 4).sharedQueue().orElseThrow();
      String trigger = "t" + i;
      tries.add(
          pool.submit(
              (Callable<Boolean>)
                  () -> {
                    go.await();
                    return q.enqueue(unclaimed(trigger, Instant.now()), null, 7).isPresent();
                  }));
    }
    go.countDown();
    int admitted = 0;
    for (Future<Boolean> f : tries) {
      admitted += f.get() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(admitted).isEqualTo(7);
    assertThat(stores.get(0).sharedQueue().orElseThrow().waiting()).isEqualTo(7);
    assertThat(stores.get(1).count()).isEqualTo(7);
    stores.forEach(RunStore::close);
  }

  @Test
  void aHeldTriggerReturnsTheEarlierRunEvenWhenTheQueueIsFull() {
    try (RunStore s = open()) {
      SharedQueue q = s.sharedQueue().orElseThrow();
      RunRecord first = unclaimed("same", Instant.now());
      assertThat(q.enqueue(first, null, 1).orElseThrow().created()).isTrue();
      assertThat(q.enqueue(unclaimed("other", Instant.now()), null, 1)).as("full").isEmpty();
      s.claim(unclaimed("x", Instant.now())); // not through the queue: not counted against it
      assertThat(q.waiting()).isEqualTo(2);
      assertThat(q.enqueue(unclaimed("same", Instant.now()), null, 5).orElseThrow())
          .satisfies(c -> assertThat(c.created()).isFalse())
          .satisfies(c -> assertThat(c.record().id()).isEqualTo(first.id()));
    }
  }

  @RepeatedTest(5)
  void concurrentClaimersTakeEveryRunExactlyOnceOldestFirst() throws Exception {
    List<RunStore> stores = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stores.add(open());
    }
    SharedQueue q0 = stores.get(0).sharedQueue().orElseThrow();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      RunRecord r = unclaimed("c" + i, t0.plusMillis(i));
      q0.enqueue(r, null, 1000).orElseThrow();
      ids.add(r.id());
    }
    assertThat(q0.claimNext("node:z:1")).contains(ids.get(0));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<String>>> got = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      SharedQueue q = stores.get(i % 4).sharedQueue().orElseThrow();
      String owner = "node:n" + i + ":1";
      got.add(
          pool.submit(
              () -> {
                go.await();
                List<String> mine = new ArrayList<>();
                for (Optional<String> id = q.claimNext(owner);
                    id.isPresent();
                    id = q.claimNext(owner)) {
                  mine.add(id.get());
                }
                return mine;
              }));
    }
    go.countDown();
    List<String> all = new ArrayList<>(List.of(ids.get(0)));
    for (Future<List<String>> f : got) {
      all.addAll(f.get());
    }
    pool.shutdown();
    assertThat(all).hasSize(60).doesNotHaveDuplicates();
    assertThat(new HashSet<>(all)).isEqualTo(Set.copyOf(ids));
    assertThat(q0.waiting()).isZero();
    for (String id : ids) {
      RunRecord r = stores.get(1).find(id).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(r.owner()).startsWith("node:");
    }
    assertThat(q0.release(ids.get(0), "node:other:1")).as("not its claim").isFalse();
    assertThat(q0.release(ids.get(0), "node:z:1")).isTrue();
    assertThat(q0.claimNext("node:y:1")).contains(ids.get(0));
    stores.forEach(RunStore::close);
  }

  @Test
  void aFencedNodeClaimsNothing() {
    try (RunStore s = open()) {
      NodeLease lease = s.nodes().register("f", 60_000, null, null);
      s.fence(lease);
      SharedQueue q = s.sharedQueue().orElseThrow();
      RunRecord r = unclaimed("f", Instant.now());
      q.enqueue(r, null, 5);
      assertThat(s.nodes().retire(lease)).isTrue();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.claimNext(lease.owner()))
          .isInstanceOf(NodeFenced.class);
      assertThat(s.find(r.id()).orElseThrow().owner()).isEqualTo(SharedQueue.UNCLAIMED);
    }
  }

  @Test
  void aStoppingNodeReleasesEveryRunItClaimedAndNoOther() {
    try (RunStore s = open();
        SharedQueue.Listener l = s.sharedQueue().orElseThrow().listen()) {
      SharedQueue q = s.sharedQueue().orElseThrow();
      Instant t = Instant.now();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        RunRecord r = unclaimed("rel" + i, t.plusMillis(i));
        q.enqueue(r, null, 10);
        ids.add(r.id());
      }
      assertThat(q.claimNext("node:a:1")).contains(ids.get(0));
      assertThat(q.claimNext("node:a:1")).contains(ids.get(1));
      assertThat(q.claimNext("node:b:1")).contains(ids.get(2));
      assertThat(s.markRunning(ids.get(1), Instant.now())).isTrue(); // started: not released
      while (l.await(50) > 0) {
        // drain the enqueue notifications
      }
      assertThat(q.releaseAll("node:a:1")).containsExactly(ids.get(0));
      assertThat(l.await(5_000)).isEqualTo(1);
      assertThat(s.find(ids.get(0)).orElseThrow().owner()).isEqualTo(SharedQueue.UNCLAIMED);
      assertThat(s.find(ids.get(1)).orElseThrow().owner()).isEqualTo("node:a:1");
      assertThat(s.find(ids.get(2)).orElseThrow().owner()).isEqualTo("node:b:1");
      assertThat(q.waiting()).isEqualTo(2);
      assertThat(q.claimNext("node:c:1")).contains(ids.get(0)); // oldest again
      assertThat(q.releaseAll("node:a:1")).isEmpty();
    }
  }

  @Test
  void aListenerHearsAnEnqueue() {
    try (RunStore s = open();
        SharedQueue.Listener l = s.sharedQueue().orElseThrow().listen()) {
      assertThat(l.await(50)).isZero();
      s.sharedQueue().orElseThrow().enqueue(unclaimed("l", Instant.now()), null, 5);
      assertThat(l.await(5_000)).isEqualTo(1);
    }
  }
}
