package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

/**
 * 20 concurrent identical keyed POSTs make one execution, and 20 concurrent identical unkeyed POSTs
 * make 20; repeated 20 times, as the project asks of concurrency tests.
 */
class ConcurrentKeyIT {
  static GatewayServer server;
  static TestApi api;
  static final java.util.concurrent.atomic.AtomicInteger executed =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    var state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    server = TestApi.start(TestApi.options(state, 2, 64));
    server
        .service()
        .events(
            new io.quackrunner.service.RunEvents() {
              @Override
              public void executed(long wallTimeMs, long overheadMs) {
                executed.incrementAndGet();
              }
            });
    api = new TestApi(server.uri(), alice, null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @RepeatedTest(20)
  void twentyConcurrentKeyedPostsExecuteOnce() throws Exception {
    String key = "k-" + UUID.randomUUID();
    String body = TestApi.sh("echo once", key);
    int before = executed.get();
    List<HttpResponse<String>> rs = concurrently(20, body);
    Set<String> ids = new HashSet<>();
    int replayed = 0;
    for (var r : rs) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      ids.add(TestApi.json(r).get("id").asText());
      replayed += r.headers().firstValue("Idempotent-Replayed").isPresent() ? 1 : 0;
    }
    assertThat(ids).hasSize(1);
    assertThat(replayed).isEqualTo(19);
    String id = ids.iterator().next();
    api.awaitStatus(id, api.alice, "SUCCEEDED");
    assertThat(executed.get() - before).as("sandboxes run").isEqualTo(1);
    assertThat(api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body())
        .isEqualTo("once\n");
  }

  private static List<HttpResponse<String>> concurrently(int n, String body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(
          pool.submit(
              (Callable<HttpResponse<String>>)
                  () -> {
                    go.await();
                    return api.post("/runs?wait=60", api.alice, body);
                  }));
    }
    go.countDown();
    List<HttpResponse<String>> out = new ArrayList<>();
    for (var f : fs) {
      out.add(f.get());
    }
    pool.shutdown();
    return out;
  }
}
