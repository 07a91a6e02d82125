package io.quackrunner.temporal.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.server.GatewayServer;
import io.quackrunner.server.ServerOptions;
import io.quackrunner.server.TokenStore;
import io.quackrunner.temporal.api.RunRequest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Prints the latency a Temporal activity adds over {@code POST /runs?wait} for the same trivial run
 * of the same tool on the same engine: a gateway on loopback and a QuackRunner activity worker over
 * the gateway's own RunService, under temporal-testing's in-process server (real time).
 *
 * <p>Rounds are interleaved (HTTP, then workflow) so load on the machine hits both alike. Three
 * figures per round, in milliseconds: the HTTP round trip; the activity from ActivityTaskScheduled
 * to ActivityTaskCompleted (server event times: task dispatch, payload conversion, heartbeat loop,
 * completion); and a whole one-activity workflow from start to result (plus two workflow tasks).
 *
 * <p>Usage: {@code runner-temporal/bin/bench-latency [ROUNDS]} (default 100, after 20 warm-up
 * rounds). Not a test: it asserts nothing and prints a table.
 */
public final class LatencyHarness {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUEUE = "latency";

  private LatencyHarness() {}

  /** Runs the rounds and prints p50, p90, p99 of each figure. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path state = StateDirs.create();
    Path registry = Path.of(args.length > 1 ? args[1] : StateDirs.REGISTRY.toString());
    Path tokens = state.resolve("tokens/tokens");
    String token = TokenStore.issue(tokens, "bench");
    int cores = Runtime.getRuntime().availableProcessors();
    ServerOptions o =
        new ServerOptions(
            0,
            "127.0.0.1",
            state,
            registry,
            tokens,
            null,
            cores,
            64,
            1L << 20,
            1L << 20,
            null,
            null);
    try (GatewayServer server = GatewayServer.start(o)) {
      TestWorkflowEnvironment env =
          TestWorkflowEnvironment.newInstance(
              TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
      Worker worker = env.newWorker(QUEUE);
      worker.registerWorkflowImplementationTypes(ToolWorkflowImpl.class);
      worker.registerActivitiesImplementations(
          new RunActivities(server.service(), "temporal", env.getWorkflowServiceStubs()));
      env.start();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long[] httpNs = new long[rounds];
      long[] activityNs = new long[rounds];
      long[] workflowNs = new long[rounds];
      for (int i = -20; i < rounds; i++) {
        long h = post(http, server.uri(), token, i + 1_000_000L);
        long[] w = workflow(env.getWorkflowClient(), i + 2_000_000L);
        if (i >= 0) {
          httpNs[i] = h;
          workflowNs[i] = w[0];
          activityNs[i] = w[1];
        }
      }
      System.out.printf(
          "added latency of a QuackRunner activity over POST /runs?wait, %d interleaved rounds"
              + " after 20 warm-up, %d cores; tool sh@1 'true' on bubblewrap, same RunService%n",
          rounds, cores);
      System.out.printf("%-44s %8s %8s %8s%n", "case", "p50 ms", "p90 ms", "p99 ms");
      row("POST /runs?wait=30 (loopback HTTP/1.1)", httpNs);
      row("activity: scheduled -> completed", activityNs);
      row("workflow with one activity: start -> result", workflowNs);
      System.out.printf(
          "added p50: activity %+.2f ms, whole workflow %+.2f ms%n",
          pct(activityNs, 50) - pct(httpNs, 50), pct(workflowNs, 50) - pct(httpNs, 50));
      env.close();
    }
    System.exit(0);
  }

  private static long post(HttpClient http, URI base, String token, long n) throws Exception {
    String body =
        "{\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"script\":\"true\",\"n\":"
            + n
            + "}}";
    long t0 = System.nanoTime();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/runs?wait=30"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long dt = System.nanoTime() - t0;
    JsonNode doc = JSON.readTree(r.body());
    if (!"SUCCEEDED".equals(doc.path("status").asText())) {
      throw new IllegalStateException("POST /runs answered " + r.statusCode() + ": " + r.body());
    }
    return dt;
  }

  /** Returns {whole workflow ns, activity scheduled-to-completed ns}. */
  private static long[] workflow(WorkflowClient client, long n) throws Exception {
    String id = "latency-" + n;
    WorkflowStub s =
        client.newUntypedWorkflowStub(
            "ToolWorkflow",
            WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId(id)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(2))
                .build());
    RunRequest req = RunRequest.of("sh", "1", "run").withParam("script", "true").withParam("n", n);
    long t0 = System.nanoTime();
    s.start(new ToolWorkflow.Plan(req, 60, 10, 1));
    ToolWorkflow.Outcome o = s.getResult(60, TimeUnit.SECONDS, ToolWorkflow.Outcome.class);
    long dt = System.nanoTime() - t0;
    if (o.failureType() != null) {
      throw new IllegalStateException("the activity failed: " + o.failureType());
    }
    long scheduled = 0;
    long completed = 0;
    for (HistoryEvent e : client.fetchHistory(id).getHistory().getEventsList()) {
      long at = e.getEventTime().getSeconds() * 1_000_000_000L + e.getEventTime().getNanos();
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled = at;
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        completed = at;
      }
    }
    return new long[] {dt, completed - scheduled};
  }

  private static void row(String name, long[] ns) {
    System.out.printf("%-44s %8.2f %8.2f %8.2f%n", name, pct(ns, 50), pct(ns, 90), pct(ns, 99));
  }

  /** Returns the p-th percentile (nearest rank), milliseconds. */
  private static double pct(long[] ns, double p) {
    long[] s = ns.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))] / 1e6;
  }
}
