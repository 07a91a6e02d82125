package io.quackrunner.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.server.TokenStore;
import io.quackrunner.store.NodeKey;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.store.Schema;
import io.quackrunner.testing.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway nodes ({@code runner serve --database URL --node-id … --content-dir DIR}) as separate
 * OS processes on one throwaway PostgreSQL and one content directory answer for each other's runs:
 * {@code DELETE /runs/{id}} on one node cancels a run executing on the other (the executing node
 * kills it and issues the one receipt), a run done reads the same on both nodes (record, logs,
 * artifacts, receipt), and {@code ?follow=true} on the other node streams the run live; the latency
 * it adds over following on the executing node is printed. Runs are submitted to node A; the shared
 * queue lets either node claim them, so each test asks the database which node executes.
 */
class CrossNodeIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final Path REGISTRY =
      Path.of("src/test/resources/registry/test-tools.yaml").toAbsolutePath();

  private static Path content;
  private static Path stateA;
  private static Path stateB;
  private static ChildServer a;
  private static ChildServer b;
  private static LoadApi onA;
  private static LoadApi onB;
  private static String url;
  private static final List<Long> addedLatencyMs = new ArrayList<>();
  private static final List<Long> cancelMs = new ArrayList<>();

  @BeforeAll
  static void startTwoNodes() throws Exception {
    url = PG.newDatabase() + "?user=" + PG.user() + "&password=" + PG.password();
    content = Files.createTempDirectory("qr-content-");
    stateA = newStateDir();
    stateB = newStateDir();
    String token = TokenStore.issue(stateA.resolve("tokens/tokens"), "alice");
    Files.createDirectories(stateB.resolve("tokens"));
    Files.copy(stateA.resolve("tokens/tokens"), stateB.resolve("tokens/tokens"));
    Path logs = Files.createTempDirectory("qr-crossnode-logs-");
    a = node(stateA, logs, "a");
    b = node(stateB, logs, "b");
    onA = new LoadApi(a.uri, token);
    onB = new LoadApi(b.uri, token);
  }

  private static ChildServer node(Path state, Path logs, String id) throws Exception {
    return ChildServer.start(
        state,
        logs,
        REGISTRY,
        2,
        8,
        List.of(
            "--database",
            url,
            "--migrate",
            "--node-id",
            id,
            "--node-lease",
            "3s",
            "--content-dir",
            content.toString()));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    System.out.printf(
        "CrossNodeIT: DELETE on the other node of a run executing on one answered CANCELLED in %s ms%n",
        cancelMs);
    System.out.printf(
        "CrossNodeIT: follow on the other node vs the executing one, added latency per run (median of 30 lines, 130 ms apart): %s"
            + " ms%n",
        addedLatencyMs);
    if (a != null) {
      a.stop();
    }
    if (b != null) {
      b.stop();
    }
  }

  @RepeatedTest(5)
  void aRunExecutingOnNodeAIsCancelledFromNodeB() throws Exception {
    String id = submit(onA, "echo started; sleep 30");
    Executing e = executing(id);
    awaitStdout(e.other(), id, "started\n");
    long t0 = System.nanoTime();
    HttpResponse<String> d = e.other().delete("/runs/" + id);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    cancelMs.add(ms);
    assertThat(d.statusCode()).as(d.body()).isEqualTo(200);
    assertThat(LoadApi.JSON.readTree(d.body()).get("status").asText()).isEqualTo("CANCELLED");
    assertThat(ms).as("answered within a few seconds").isLessThan(5000);
    assertThat(e.owner().run(id).get("status").asText()).isEqualTo("CANCELLED");
    JsonNode st = awaitReceipt(e.other(), id);
    assertThat(st.at("/predicate/execution_id").asText()).isEqualTo(id);
    assertThat(st.at("/predicate/run_status").asText()).isEqualTo("CANCELLED");
    try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.REFUSE_PENDING, 2);
        RunStore store = PostgresRunStore.open(db)) {
      RunRecord r = store.find(id).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(r.owner()).as("ended by the node that executed it").isEqualTo(e.ownerValue());
      assertOneReceiptAndTheLedgerVerifies(db, store, r);
    }
    for (Path state : List.of(stateA, stateB)) {
      Leftovers.Report left = new Leftovers(state, List.of(id)).settle(10_000);
      assertThat(left.problems()).as("left in " + state).isEmpty();
    }
  }

  /**
   * A RUNNING run and where: the node whose claim executes it (either node may claim a run accepted
   * by A: the queue is the database's) and the other node, which answers for it.
   */
  private record Executing(String ownerValue, LoadApi owner, LoadApi other) {}

  private static Executing executing(String id) throws Exception {
    awaitStatus(onB, id, "RUNNING");
    try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.REFUSE_PENDING, 2);
        RunStore store = PostgresRunStore.open(db)) {
      String owner = store.find(id).orElseThrow().owner();
      assertThat(owner).matches("node:[ab]:\\d+");
      return owner.startsWith("node:a:")
          ? new Executing(owner, onA, onB)
          : new Executing(owner, onB, onA);
    }
  }

  @RepeatedTest(5)
  void aRunDoneOnNodeAReadsTheSameOnNodeB() throws Exception {
    String id =
        submit(
            onA,
            "i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo line-$i; done; echo oops >&2;"
                + " printf 0123456789 > out/result.txt");
    awaitStatus(onA, id, "SUCCEEDED");
    awaitReceipt(onA, id);
    for (String path :
        List.of(
            "/runs/" + id,
            "/runs/" + id + "/logs",
            "/runs/" + id + "/logs?stream=stdout",
            "/runs/" + id + "/logs?stream=stderr",
            "/runs/" + id + "/artifacts",
            "/runs/" + id + "/artifacts/result.txt",
            "/runs/" + id + "/receipt")) {
      HttpResponse<String> fromA = onA.get(path);
      HttpResponse<String> fromB = onB.get(path);
      assertThat(fromA.statusCode()).as(path + " " + fromA.body()).isEqualTo(200);
      assertThat(fromB.statusCode()).as(path + " " + fromB.body()).isEqualTo(200);
      if (fromA.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
        // The same document; the order of an object's members is not part of it (RFC 8259 §4).
        assertThat(LoadApi.JSON.readTree(fromB.body()))
            .as(path)
            .isEqualTo(LoadApi.JSON.readTree(fromA.body()));
      } else {
        assertThat(fromB.body()).as(path).isEqualTo(fromA.body());
      }
    }
    String stdout = onB.get("/runs/" + id + "/logs?stream=stdout").body();
    assertThat(stdout).startsWith("line-1\n").endsWith("line-300\n");
    assertThat(onB.get("/runs/" + id + "/logs?stream=stderr").body()).isEqualTo("oops\n");
    assertThat(onB.get("/runs/" + id + "/artifacts/result.txt").body()).isEqualTo("0123456789");
    assertThat(content.resolve("runs").resolve(id)).as("in the shared directory").isDirectory();
    assertThat(stateA.resolve("runs").resolve(id)).doesNotExist();
    assertThat(stateB.resolve("runs").resolve(id)).doesNotExist();
  }

  @RepeatedTest(5)
  void followingOnNodeBStreamsARunOfNodeALive() throws Exception {
    String id =
        submit(
            onA,
            "sleep 1; i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo tick-$i; sleep 0.13; done");
    Executing e = executing(id); // "A" below is the node executing it, "B" the other
    CompletableFuture<Map<String, Long>> viaA =
        CompletableFuture.supplyAsync(() -> follow(e.owner(), id));
    CompletableFuture<Map<String, Long>> viaB =
        CompletableFuture.supplyAsync(() -> follow(e.other(), id));
    Map<String, Long> atA = viaA.get(60, TimeUnit.SECONDS);
    Map<String, Long> atB = viaB.get(60, TimeUnit.SECONDS);
    List<String> ticks = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      ticks.add("tick-" + i);
    }
    assertThat(atA.keySet()).containsAll(ticks).contains("end SUCCEEDED");
    assertThat(atB.keySet()).containsAll(ticks).contains("end SUCCEEDED");
    List<Long> deltas = new ArrayList<>();
    for (String t : ticks) {
      deltas.add((atB.get(t) - atA.get(t)) / 1_000_000);
    }
    deltas.sort(null);
    long median = deltas.get(deltas.size() / 2);
    addedLatencyMs.add(median);
    System.out.printf(
        "CrossNodeIT follow: other node after executing node per line, ms: median %d, min %d, max %d%n",
        median, deltas.get(0), deltas.get(deltas.size() - 1));
    // Live, not replayed at the end: B's first tick came well before A's last.
    assertThat(atB.get("tick-1")).isLessThan(atA.get("tick-30"));
  }

  /**
   * Follows a run's logs; returns when each {@code stdout} line and the {@code end} event (as
   * {@code "end <status>"}) arrived, in {@link System#nanoTime()}.
   */
  private static Map<String, Long> follow(LoadApi api, String id) {
    Map<String, Long> at = new HashMap<>();
    try {
      HttpResponse<InputStream> r = api.stream("/runs/" + id + "/logs?follow=true");
      assertThat(r.statusCode()).isEqualTo(200);
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String event = null;
        String l;
        while ((l = in.readLine()) != null) {
          if (l.startsWith("event: ")) {
            event = l.substring(7);
          } else if (l.startsWith("data: ")) {
            String data = l.substring(6);
            if ("stdout".equals(event)) {
              at.putIfAbsent(data, System.nanoTime());
            } else if ("end".equals(event)) {
              at.put(
                  "end " + LoadApi.JSON.readTree(data).get("status").asText(), System.nanoTime());
            }
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return at;
  }

  private static String submit(LoadApi api, String script) throws Exception {
    var n =
        LoadApi.JSON.createObjectNode().put("tool", "sh").put("version", "1").put("verb", "run");
    n.putObject("params").put("script", script);
    HttpResponse<String> r = api.post("/runs", LoadApi.JSON.writeValueAsString(n));
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201, 202);
    return LoadApi.JSON.readTree(r.body()).get("id").asText();
  }

  private static void awaitStatus(LoadApi api, String id, String status) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String s = null;
    while (System.nanoTime() < end) {
      s = api.run(id).get("status").asText();
      if (s.equals(status)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " stayed " + s + ", not " + status);
  }

  private static void awaitStdout(LoadApi api, String id, String text) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (api.get("/runs/" + id + "/logs?stream=stdout").body().equals(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " never printed " + text);
  }

  private static JsonNode awaitReceipt(LoadApi api, String id) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      JsonNode st = api.receiptStatement(id);
      if (st != null) {
        return st;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " has no receipt");
  }

  /** The ledger holds exactly one entry for the run, its recorded receipt, and verifies. */
  private static void assertOneReceiptAndTheLedgerVerifies(
      PostgresDatabase db, RunStore store, RunRecord r) {
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
      List<Long> mine = new ArrayList<>();
      for (long i = 0; i < ledger.size(); i++) {
        String exec =
            ReceiptStatement.parse(Dsse.parse(ledger.entry(i)).payload()).predicate().executionId();
        if (exec.equals(r.id())) {
          mine.add(i);
        }
      }
      assertThat(mine).as("one receipt for run " + r.id()).containsExactly(r.ledgerIndex());
      assertThat(ledger.entry(r.ledgerIndex()))
          .isEqualTo(r.receiptJson().getBytes(StandardCharsets.UTF_8));
      assertThat(ledger.verify(keys).ok()).isTrue();
    }
  }

  private static Path newStateDir() throws Exception {
    Path state = Files.createTempDirectory("qr-crossnode-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    return state;
  }
}
