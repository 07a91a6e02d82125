package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link NodeStore} and of the run store's node fencing, run against every backend
 * ({@code SqliteNodeStoreTest}, {@code PostgresNodeStoreIT}): epochs, heartbeats and declarations
 * of death by the database's clock, fenced writes refused, recovery statements that exactly one
 * caller wins, and the append-only {@code node_keys}.
 */
public abstract class NodeStoreContract {
  /** Opens a run store on the database called {@code name}, created empty on its first open. */
  protected abstract RunStore open(String name);

  /** Opens a plain JDBC connection to the database called {@code name}. */
  protected abstract Connection raw(String name) throws SQLException;

  @Test
  void everyStartOfANodeTakesALargerEpochAndFencesTheEarlierOne() {
    try (RunStore s = open("nodes")) {
      NodeLease first = s.nodes().register("a", 60_000, "k+1", "AAAA");
      NodeLease second = s.nodes().register("a", 60_000, "k+1", "AAAA");
      NodeLease other = s.nodes().register("b", 60_000, null, null);
      assertThat(first.epoch()).isEqualTo(1);
      assertThat(second.epoch()).isEqualTo(2);
      assertThat(other.epoch()).isEqualTo(1);
      assertThat(s.nodes().heartbeat(first)).as("the earlier start is fenced").isFalse();
      assertThat(s.nodes().heartbeat(second)).isTrue();
      assertThat(s.nodes().live(first)).isFalse();
      assertThat(s.nodes().liveLeases()).containsExactlyInAnyOrder(second, other);
      assertThat(second.owner()).isEqualTo("node:a:2");
      assertThat(NodeLease.ofOwner("node:a:2")).contains(second);
      assertThat(NodeLease.ofOwner("1234:5678")).isEmpty();
    }
  }

  @Test
  void aNodePastItsLeaseIsDeclaredDeadOnceAndCannotHeartbeatAgain() throws Exception {
    try (RunStore s = open("nodes")) {
      NodeLease quick = s.nodes().register("quick", 50, null, null);
      NodeLease slow = s.nodes().register("slow", 600_000, null, null);
      assertThat(s.nodes().declareDead()).isEmpty();
      Thread.sleep(200);
      assertThat(s.nodes().declareDead()).containsExactly(quick);
      assertThat(s.nodes().declareDead()).as("declared by one caller only").isEmpty();
      assertThat(s.nodes().heartbeat(quick)).isFalse();
      assertThat(s.nodes().find("quick").orElseThrow().state()).isEqualTo("dead");
      assertThat(s.nodes().heartbeat(slow)).isTrue();
      assertThat(s.nodes().retire(slow)).isTrue();
      assertThat(s.nodes().find("slow").orElseThrow().state()).isEqualTo("retired");
      assertThat(s.nodes().heartbeat(slow)).isFalse();
    }
  }

  @Test
  void concurrentDeclarationsOfDeathDeclareEachNodeOnce() throws Exception {
    List<RunStore> stores = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stores.add(open("nodes"));
    }
    try {
      for (int i = 0; i < 5; i++) {
        stores.get(0).nodes().register("n" + i, 20, null, null);
      }
      Thread.sleep(100);
      List<NodeLease> all = declareConcurrently(stores);
      assertThat(all).hasSize(5).doesNotHaveDuplicates();
    } finally {
      stores.forEach(RunStore::close);
    }
  }

  private static List<NodeLease> declareConcurrently(List<RunStore> stores) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<NodeLease>>> out = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(stores.size())) {
      for (RunStore s : stores) {
        out.add(
            pool.submit(
                () -> {
                  go.await();
                  return s.nodes().declareDead();
                }));
      }
      go.countDown();
      List<NodeLease> all = new ArrayList<>();
      for (Future<List<NodeLease>> f : out) {
        all.addAll(f.get());
      }
      return all;
    }
  }

  @Test
  void aFencedStoreRefusesEveryWriteOnceItsNodeIsDeclaredDead() throws Exception {
    try (RunStore a = open("nodes");
        RunStore b = open("nodes")) {
      NodeLease la = a.nodes().register("a", 50, null, null);
      a.fence(la);
      RunRecord queued = claimed(a, la.owner());
      RunRecord running = claimed(a, la.owner());
      assertThat(a.markRunning(running.id(), Instant.now())).isTrue();
      Thread.sleep(200);
      assertThat(b.nodes().declareDead()).containsExactly(la);

      assertThatThrownBy(() -> a.finish(running.id(), ended(RunStatus.SUCCEEDED)))
          .isInstanceOfSatisfying(
              NodeFenced.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                assertThat(e.lease()).isEqualTo(la);
              })
          .hasMessageContaining("node a epoch 1 is fenced");
      assertThatThrownBy(() -> a.markRunning(queued.id(), Instant.now()))
          .isInstanceOf(NodeFenced.class);
      assertThatThrownBy(() -> a.setReceipt(running.id(), "{}", 0L)).isInstanceOf(NodeFenced.class);
      assertThatThrownBy(() -> a.takeOver(queued.id(), la.owner(), "x"))
          .isInstanceOf(NodeFenced.class);
      assertThat(b.find(running.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(b.find(running.id()).orElseThrow().receiptJson()).isNull();
      assertThat(b.find(queued.id()).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
    }
  }

  @Test
  void aLiveNodesRunsCannotBeTakenOverOrInterrupted() {
    try (RunStore a = open("nodes");
        RunStore b = open("nodes")) {
      NodeLease la = a.nodes().register("a", 600_000, null, null);
      NodeLease lb = b.nodes().register("b", 600_000, null, null);
      b.fence(lb);
      RunRecord queued = claimed(a, la.owner());
      RunRecord running = claimed(a, la.owner());
      a.markRunning(running.id(), Instant.now());
      assertThat(b.takeOver(queued.id(), la.owner(), lb.owner())).isFalse();
      assertThat(b.interrupt(running.id(), la.owner(), lb.owner(), ended(RunStatus.INTERRUPTED)))
          .isFalse();
      a.finish(running.id(), ended(RunStatus.SUCCEEDED));
      assertThat(b.adoptForReceipt(running.id(), la.owner(), lb.owner())).isFalse();
      assertThat(a.find(running.id()).orElseThrow().owner()).isEqualTo(la.owner());
    }
  }

  @Test
  void ofConcurrentInterruptionsOfADeadNodesRunExactlyOneWins() throws Exception {
    List<RunStore> stores = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stores.add(open("nodes"));
    }
    try {
      RunStore a = stores.get(0);
      NodeLease la = a.nodes().register("a", 20, null, null);
      List<NodeLease> takers = new ArrayList<>();
      for (int i = 1; i < stores.size(); i++) {
        NodeLease l = stores.get(i).nodes().register("taker" + i, 600_000, null, null);
        stores.get(i).fence(l);
        takers.add(l);
      }
      RunRecord running = claimed(a, la.owner());
      a.markRunning(running.id(), Instant.now());
      Thread.sleep(100);
      assertThat(a.nodes().declareDead()).containsExactly(la);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> wins = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(takers.size())) {
        for (int i = 0; i < takers.size(); i++) {
          RunStore s = stores.get(i + 1);
          String me = takers.get(i).owner();
          wins.add(
              pool.submit(
                  () -> {
                    go.await();
                    return s.interrupt(running.id(), la.owner(), me, ended(RunStatus.INTERRUPTED));
                  }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : wins) {
          won += f.get() ? 1 : 0;
        }
        assertThat(won).isEqualTo(1);
      }
      RunRecord r = a.find(running.id()).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(takers.stream().map(NodeLease::owner)).contains(r.owner());
    } finally {
      stores.forEach(RunStore::close);
    }
  }

  @Test
  void nodeKeysAreAppendOnlyAndOutliveTheirNode() throws SQLException {
    try (RunStore s = open("nodes")) {
      NodeLease l = s.nodes().register("a", 60_000, "origin+0001", "PUBKEY1");
      s.nodes().register("a", 60_000, "origin+0002", "PUBKEY2");
      s.nodes().register("a", 60_000, "origin+0002", "PUBKEY2");
      s.nodes().retire(new NodeLease("a", 3));
      assertThat(s.nodes().keys())
          .extracting(NodeKey::publicKey, NodeKey::keyId, NodeKey::nodeId)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("PUBKEY1", "origin+0001", "a"),
              org.assertj.core.groups.Tuple.tuple("PUBKEY2", "origin+0002", "a"));
      assertThat(l.epoch()).isEqualTo(1);
    }
    try (Connection c = raw("nodes");
        Statement st = c.createStatement()) {
      for (String sql :
          List.of(
              "UPDATE node_keys SET key_id = 'forged'",
              "UPDATE node_keys SET public_key = 'forged' WHERE node_id = 'a'",
              "DELETE FROM node_keys",
              "DELETE FROM node_keys WHERE public_key = 'PUBKEY1'")) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql).hasMessageContaining("append-only");
      }
    }
    try (RunStore s = open("nodes")) {
      assertThat(s.nodes().keys()).hasSize(2);
    }
  }

  static RunRecord claimed(RunStore s, String owner) {
    RunRecord r =
        RunRecord.queued(
            UUID.randomUUID().toString(),
            "t",
            "trig-" + UUID.randomUUID(),
            "req",
            "sh",
            "1",
            "run",
            "{}",
            Instant.now(),
            owner);
    assertThat(s.claim(r).created()).isTrue();
    return r;
  }

  static Completion ended(RunStatus status) {
    return new Completion(status, Instant.now(), null, null, null, null, null);
  }
}
