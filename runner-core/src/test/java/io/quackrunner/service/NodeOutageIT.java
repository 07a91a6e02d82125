package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunStore;
import io.quackrunner.store.Schema;
import io.quackrunner.testing.PostgresServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' heartbeats across a database stop longer than their lease: after it neither declares
 * the other dead by its stale heartbeat_at, and neither fences itself.
 */
class NodeOutageIT {
  @Test
  void anOutageLongerThanTheLeaseKillsNoNode() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url =
          pg.createDatabase("nodes_outage")
              + "?user="
              + PostgresServer.USER
              + "&password="
              + PostgresServer.PASSWORD;
      RunStore a;
      RunStore b;
      try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.MIGRATE, 4)) {
        a = PostgresRunStore.open(db);
        b = PostgresRunStore.open(db);
      }
      AtomicInteger fenced = new AtomicInteger();
      try (NodeRegistry na = NodeRegistry.shared("a", Duration.ofMillis(900), null, null);
          NodeRegistry nb = NodeRegistry.shared("b", Duration.ofMillis(900), null, null)) {
        na.join(a);
        nb.join(b);
        na.start(() -> {}, fenced::incrementAndGet);
        nb.start(() -> {}, fenced::incrementAndGet);
        Thread.sleep(1_000);
        pg.stop();
        Thread.sleep(3_000); // > 3 leases without a heartbeat
        pg.startAgain();
        Thread.sleep(4_000); // several leases after the outage
        assertThat(fenced).hasValue(0);
        assertThat(na.fenced()).isFalse();
        assertThat(nb.fenced()).isFalse();
        assertThat(a.nodes().liveLeases()).containsExactlyInAnyOrder(na.lease(), nb.lease());
      } finally {
        a.close();
        b.close();
      }
    }
  }
}
