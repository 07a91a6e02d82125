package io.quackrunner.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.server.TokenStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery under load: a child-JVM server takes runs continuously and is SIGKILLed at random
 * moments, then started again on the same state directory, in a loop (5 times; 20 with {@code
 * QUACKRUNNER_LOAD=full}). After every crash the ledger on disk verifies offline; after every
 * restart every run accepted so far ends, with one receipt, RUNNING runs as INTERRUPTED (never
 * re-executed), QUEUED ones resumed, and nothing is left on the host. Requests whose answer the
 * crash swallowed are sent again with the same idempotency key.
 */
class KillLoopIT {
  private static final Pattern STARTED =
      Pattern.compile("\"event\":\"run\\.started\",\"run_id\":\"([0-9a-f-]+)\"");

  @Test
  void killedServersLoseNothingAndExecuteNothingTwice() throws Exception {
    int loops = Scale.pick(5, 20);
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    Path state = Scale.newStateDir();
    Path logs = Files.createTempDirectory("qr-kill-loop-logs-");
    String token = TokenStore.issue(state.resolve("tokens/tokens"), "load");
    Map<String, Mode> accepted = new ConcurrentHashMap<>();
    Map<String, Mode> inDoubt = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<String> problems = new ArrayList<>();
    Map<String, Integer> interrupted = new HashMap<>();
    List<LoadDriver.Follow> follows = new ArrayList<>();
    java.util.Set<String> unreceipted = new java.util.TreeSet<>();
    long t0 = System.nanoTime();

    for (int round = 0; round <= loops; round++) {
      int k = round;
      ChildServer server = ChildServer.start(state, logs, 2, 8);
      LoadApi api = new LoadApi(server.uri, token);
      LoadDriver driver = new LoadDriver(api, "kill-", accepted, inDoubt, next);
      try {
        for (Map.Entry<String, Mode> e : Map.copyOf(inDoubt).entrySet()) {
          driver.submit(e.getKey(), e.getValue());
        }
        RunChecks checks = new RunChecks(api, true);
        checks.awaitAll(accepted, 300_000);
        checks.checkRuns(accepted);
        checks.checkFollows(follows);
        follows.clear();
        for (String p : checks.problems) {
          problems.add("after restart " + k + ": " + p);
        }
        driver.failures.forEach(f -> problems.add("after restart " + k + ": " + f));
        unreceipted.addAll(checks.withoutReceipt);
        checks.withoutReceipt.forEach(
            id -> problems.add("after restart " + k + ": " + id + " has no receipt"));
        long size = api.ledgerSize();
        if (size != accepted.size() - checks.withoutReceipt.size()) {
          problems.add("after restart " + k + ": ledger size " + size + " for " + accepted.size());
        }
        interrupted.put(
            "after restart " + k,
            checks.statuses.entrySet().stream()
                .filter(e -> e.getKey().endsWith("INTERRUPTED"))
                .mapToInt(Map.Entry::getValue)
                .sum());
        Leftovers.Report left = new Leftovers(state, accepted.keySet()).settle(10_000);
        left.problems().forEach(p -> problems.add("after restart " + k + ": " + p));
        if (k == loops) {
          break;
        }
        LoadDriver load = new LoadDriver(api, "kill-", accepted, inDoubt, next);
        load.submitters(4, Integer.MAX_VALUE);
        load.followers(4);
        Thread.sleep(1000 + rnd.nextInt(3000));
        load.stopping();
        server.kill9();
        load.stop();
        follows.addAll(load.follows);
        load.failures.forEach(f -> problems.add("load " + k + ": " + f));
        LedgerTally crashed = LedgerTally.read(state);
        if (!crashed.verification().ok()) {
          problems.add("after kill " + k + ": ledger " + crashed.verification().problem());
        }
        crashed
            .receiptsPerRun()
            .forEach(
                (id, n) -> {
                  if (n > 1) {
                    problems.add("after kill " + k + ": " + n + " receipts of " + id);
                  }
                });
      } finally {
        if (server.process.isAlive()) {
          server.stop();
        }
      }
    }

    LedgerTally ledger = LedgerTally.read(state);
    Map<String, Integer> executions = new HashMap<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.toList()) {
        Matcher m = STARTED.matcher(Files.readString(f));
        while (m.find()) {
          executions.merge(m.group(1), 1, Integer::sum);
        }
      }
    }
    Leftovers.Report left = new Leftovers(state, accepted.keySet()).settle(10_000);
    System.out.printf(
        "kill loop: %d kills, %d runs accepted in %d s (seed %d); INTERRUPTED so far %s%n",
        loops, accepted.size(), (System.nanoTime() - t0) / 1_000_000_000, seed, interrupted);
    left.notes().forEach(n -> System.out.println("kill loop: note: " + n));
    // A run that ended at a kill before its receipt was recorded must have it after recovery.
    assertThat(unreceipted).as("runs without a receipt after recovery").isEmpty();
    java.util.Set<String> receipted = new java.util.HashSet<>(accepted.keySet());

    assertThat(problems).isEmpty();
    assertThat(inDoubt).as("requests whose fate stayed unknown").isEmpty();
    assertThat(ledger.verification().ok()).as(ledger.verification().problem()).isTrue();
    assertThat(ledger.receiptsPerRun().keySet()).isEqualTo(receipted);
    assertThat(ledger.receiptsPerRun().values()).containsOnly(1);
    assertThat(executions.values()).as("sandboxes started per run").allMatch(n -> n <= 1);
    assertThat(executions.keySet()).isSubsetOf(accepted.keySet());
    assertThat(left.problems()).isEmpty();
  }
}
