package io.quackrunner.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.server.TokenStore;
import io.quackrunner.store.NodeKey;
import io.quackrunner.store.NodeRecord;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunStore;
import io.quackrunner.store.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Gateway nodes ({@code runner serve --database URL --node-id n<i> --content-dir DIR}) as separate
 * OS processes on one PostgreSQL database and one content directory, each with its own state
 * directory, 2 slots, a queue of 64 and a 3 s lease; one tenant's token valid on all of them. Their
 * JSON service logs go to one directory, read afterwards for {@code run.started} lines.
 */
final class Cluster implements AutoCloseable {
  private static final Pattern STARTED =
      Pattern.compile("\"event\":\"run\\.started\",\"run_id\":\"([0-9a-f-]+)\"");

  final String url;
  final Path content;
  final Path logs;
  final Path[] states;
  final String token;
  final ChildServer[] nodes;
  final LoadApi[] apis;

  private Cluster(String url, int n) throws Exception {
    this.url = url;
    content = Files.createTempDirectory("qr-cluster-content-");
    logs = Files.createTempDirectory("qr-cluster-logs-");
    states = new Path[n];
    for (int i = 0; i < n; i++) {
      states[i] = Scale.newStateDir();
    }
    token = TokenStore.issue(states[0].resolve("tokens/tokens"), "load");
    for (int i = 1; i < n; i++) {
      Files.createDirectories(states[i].resolve("tokens"));
      Files.copy(states[0].resolve("tokens/tokens"), states[i].resolve("tokens/tokens"));
    }
    nodes = new ChildServer[n];
    apis = new LoadApi[n];
  }

  /**
   * Starts {@code n} nodes on the database at JDBC {@code url} (with {@code ?user=…&password=…});
   * the first migrates it.
   */
  static Cluster start(String url, int n) throws Exception {
    Cluster c = new Cluster(url, n);
    try {
      for (int i = 0; i < n; i++) {
        c.startNode(i);
      }
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /** Starts node {@code i} (again, after a kill: same id and state directory, a new epoch). */
  void startNode(int i) throws Exception {
    nodes[i] =
        ChildServer.start(
            states[i],
            logs,
            Scale.REGISTRY,
            2,
            64,
            List.of(
                "--database",
                url,
                "--migrate",
                "--node-id",
                "n" + i,
                "--node-lease",
                "3s",
                "--content-dir",
                content.toString()));
    apis[i] = new LoadApi(nodes[i].uri, token);
  }

  /**
   * Counts each run's {@code run.started} lines in every node's log (sandboxes started per run).
   */
  Map<String, Integer> startedPerRun() throws Exception {
    Map<String, Integer> started = new HashMap<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.toList()) {
        Matcher m = STARTED.matcher(Files.readString(f));
        while (m.find()) {
          started.merge(m.group(1), 1, Integer::sum);
        }
      }
    }
    return started;
  }

  /** Returns the service log lines of every node that name {@code event}. */
  List<String> logLines(String event) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.contains("\"event\":\"" + event + "\"")) {
            out.add(line);
          }
        }
      }
    }
    return out;
  }

  /** Returns the rows of the {@code nodes} table. */
  List<NodeRecord> nodeRows() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.REFUSE_PENDING, 2);
        RunStore store = PostgresRunStore.open(db)) {
      return store.nodes().nodes();
    }
  }

  /**
   * Reads the global ledger: asserts it verifies with every node's key and counts the receipts per
   * execution id.
   */
  Map<String, Integer> ledgerReceipts() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.REFUSE_PENDING, 2);
        RunStore store = PostgresRunStore.open(db)) {
      List<VerifierKey> keys = new ArrayList<>();
      for (NodeKey k : store.nodes().keys()) {
        keys.add(
            VerifierKey.of(
                k.keyId().substring(0, k.keyId().lastIndexOf('+')),
                Base64.getDecoder().decode(k.publicKey())));
      }
      PostgresLedgerStore ls = PostgresLedgerStore.open(db);
      String origin = ls.setting(Ledger.ORIGIN_SETTING).orElseThrow();
      try (Ledger ledger = Ledger.open(ls, origin, SigningKey.generate(origin))) {
        var v = ledger.verify(keys);
        assertThat(v.ok()).as(String.valueOf(v.problem())).isTrue();
        Map<String, Integer> counts = new HashMap<>();
        for (long i = 0; i < ledger.size(); i++) {
          String exec =
              ReceiptStatement.parse(Dsse.parse(ledger.entry(i)).payload())
                  .predicate()
                  .executionId();
          counts.merge(exec, 1, Integer::sum);
        }
        return counts;
      }
    }
  }

  /** Asserts that nothing of {@code runIds} is left in any node's sandboxes (within 10 s). */
  void assertNoLeftovers(java.util.Collection<String> runIds) throws Exception {
    for (Path state : states) {
      Leftovers.Report left = new Leftovers(state, runIds).settle(10_000);
      assertThat(left.problems()).as("left in " + state).isEmpty();
    }
  }

  /** Stops (SIGTERM) every node still running. */
  @Override
  public void close() throws InterruptedException {
    for (ChildServer n : nodes) {
      if (n != null && n.process.isAlive()) {
        n.stop();
      }
    }
  }
}
