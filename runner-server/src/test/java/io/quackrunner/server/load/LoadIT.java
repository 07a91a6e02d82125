package io.quackrunner.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.server.GatewayServer;
import io.quackrunner.server.ServerOptions;
import io.quackrunner.server.TokenStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Load and soak: a real server on loopback takes a mix of quick, slow, failing, memory-bomb and
 * timing-out runs as fast as it accepts them, with SSE followers on live runs; afterwards every
 * accepted run has ended once with one receipt, the ledger verifies, nothing is left on the host
 * and the heap is back near where it started. CI-sized by default (200 runs, 20 followers); {@code
 * QUACKRUNNER_LOAD=full} runs 2,000 runs and 100 followers.
 */
class LoadIT {
  @Test
  void everyAcceptedRunEndsOnceWithOneReceiptAndLeavesNothing() throws Exception {
    int runs = Scale.pick(200, 2000);
    int followers = Scale.pick(20, 100);
    Path state = Scale.newStateDir();
    String token = TokenStore.issue(state.resolve("tokens/tokens"), "load");
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long pid = ProcessHandle.current().pid();
    long t0 = System.nanoTime();

    Map<String, Mode> accepted = new ConcurrentHashMap<>();
    LoadDriver driver;
    RunChecks checks;
    long heapBefore;
    long heapAfter;
    long rssBefore;
    long rssAfter;
    long ledgerSize;
    try (GatewayServer server =
        GatewayServer.start(
            new ServerOptions(
                0,
                "127.0.0.1",
                state,
                Scale.REGISTRY,
                state.resolve("tokens/tokens"),
                null,
                2,
                32,
                1L << 20,
                256L << 10,
                null,
                null))) {
      LoadApi api = new LoadApi(server.uri(), token);
      System.gc();
      heapBefore = mem.getHeapMemoryUsage().getUsed();
      rssBefore = Scale.rssKib(pid);
      driver =
          new LoadDriver(api, "load-", accepted, new ConcurrentHashMap<>(), new AtomicInteger());
      driver.submitters(8, runs);
      driver.followers(followers);
      while (!driver.submittersDone()) {
        Thread.sleep(100);
      }
      checks = new RunChecks(api, false);
      checks.awaitAll(accepted, 600_000);
      driver.stop();
      checks.checkRuns(accepted);
      checks.checkFollows(driver.follows);
      ledgerSize = api.ledgerSize();
      System.gc();
      heapAfter = mem.getHeapMemoryUsage().getUsed();
      rssAfter = Scale.rssKib(pid);
    }
    LedgerTally ledger = LedgerTally.read(state);
    Leftovers.Report left = new Leftovers(state, accepted.keySet()).settle(5_000);
    long seconds = (System.nanoTime() - t0) / 1_000_000_000;

    System.out.printf(
        "load: %d runs accepted of %d in %d s, %d POSTs, %d answered 429, %d follows%n",
        accepted.size(),
        runs,
        seconds,
        driver.posts.get(),
        driver.busy.get(),
        driver.follows.size());
    System.out.println("load: mode/status " + checks.statuses);
    System.out.printf(
        "load: heap after GC %d -> %d MiB, RSS %d -> %d MiB (test JVM with the server in it)%n",
        heapBefore >> 20, heapAfter >> 20, rssBefore >> 10, rssAfter >> 10);
    left.notes().forEach(n -> System.out.println("load: note: " + n));

    assertThat(driver.failures).as("non-2xx answers other than 429, lost follows").isEmpty();
    assertThat(accepted).hasSize(runs);
    assertThat(checks.problems).isEmpty();
    assertThat(driver.follows).isNotEmpty();
    assertThat(ledgerSize).isEqualTo(runs);
    assertThat(ledger.verification().ok()).as(ledger.verification().problem()).isTrue();
    assertThat(ledger.verification().size()).isEqualTo(runs);
    assertThat(ledger.receiptsPerRun().keySet()).isEqualTo(accepted.keySet());
    assertThat(ledger.receiptsPerRun().values()).containsOnly(1);
    assertThat(left.problems()).isEmpty();
    // A generous bound: what a leak of every run's record, log or follower would exceed.
    assertThat(heapAfter - heapBefore).isLessThan(256L << 20);
  }
}
