package io.quackrunner.server.load;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives one server: submitters that post the run mix as fast as the API accepts it (a 429 is
 * counted and the same request retried; when asked, a 503 problem+json is waited out for its {@code
 * Retry-After} and the same request, with its same key, sent again, as a real client does), and SSE
 * followers that each follow one recent run to its end, again and again. Everything accepted,
 * everything followed and the status code of every submission's answer is recorded for the checks.
 */
final class LoadDriver {
  /**
   * A finished follow: the run and the stdout lines the follower received, and how it ended; when
   * it was sent and when its stream ended, System.nanoTime().
   */
  record Follow(String runId, List<String> stdout, String endData, long sentAt, long endedAt) {}

  final Map<String, Mode> accepted;
  final Map<String, Mode> inDoubt;
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  final List<Follow> follows = Collections.synchronizedList(new ArrayList<>());
  final AtomicLong busy = new AtomicLong();
  final AtomicLong posts = new AtomicLong();

  /** The number of POST /runs answers per HTTP status code. */
  final Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();

  /** System.nanoTime() of each 503 answer (submissions and follows). */
  final List<Long> unavailableAt = Collections.synchronizedList(new ArrayList<>());

  /** System.nanoTime() of each accepted submission. */
  final List<Long> acceptedAt = Collections.synchronizedList(new ArrayList<>());

  /** Follows refused with 503 (waited out and not counted as follows). */
  final AtomicLong followsUnavailable = new AtomicLong();

  /** The run each key named, for the key's later answers to be compared with. */
  private final Map<String, String> runOfKey = new ConcurrentHashMap<>();

  private volatile boolean keyInHeader;
  private volatile boolean waitOutUnavailable;
  private final List<String> recent = Collections.synchronizedList(new ArrayList<>());
  private final LoadApi api;
  private final String keyPrefix;
  private final AtomicInteger next;
  private volatile boolean stopped;
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param accepted where accepted runs go (shared across server generations)
   * @param inDoubt requests whose answer was lost (the server died mid-request), by key
   * @param next the index of the next run to submit (shared across generations)
   */
  LoadDriver(
      LoadApi api,
      String keyPrefix,
      Map<String, Mode> accepted,
      Map<String, Mode> inDoubt,
      AtomicInteger next) {
    this.api = api;
    this.keyPrefix = keyPrefix;
    this.accepted = accepted;
    this.inDoubt = inDoubt;
    this.next = next;
  }

  /**
   * Sends each submission's key in the {@code Idempotency-Key} header (an RFC 8941 string) instead
   * of the body's {@code idempotency_key}.
   */
  LoadDriver keysInHeader() {
    keyInHeader = true;
    return this;
  }

  /**
   * Waits out a 503 problem+json for its {@code Retry-After} and sends the request again (a
   * database outage); without this a 503 is a failure.
   */
  LoadDriver waitsOutUnavailable() {
    waitOutUnavailable = true;
    return this;
  }

  /** Starts {@code n} submitters that stop after run index {@code total - 1}. */
  void submitters(int n, int total) {
    for (int t = 0; t < n; t++) {
      threads.add(
          Thread.ofVirtual()
              .name("submit-" + t)
              .start(
                  () -> {
                    int i;
                    while (!stopped && (i = next.getAndIncrement()) < total) {
                      submit(keyPrefix + i, Mode.of(i));
                    }
                  }));
    }
  }

  /** Submits one request until it is accepted, refused for good, or the server is gone. */
  void submit(String key, Mode mode) {
    while (true) {
      HttpResponse<String> r;
      try {
        posts.incrementAndGet();
        r =
            keyInHeader
                ? api.post("/runs", mode.request(null), "Idempotency-Key", "\"" + key + "\"")
                : api.post("/runs", mode.request(key));
      } catch (IOException e) {
        if (stopped) {
          inDoubt.put(key, mode); // the server died: was it accepted? Asked again after restart.
        } else {
          failures.add("POST " + key + ": " + e);
        }
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      int s = r.statusCode();
      answers.computeIfAbsent(s, k -> new AtomicLong()).incrementAndGet();
      if (s == 503 && waitOutUnavailable) {
        unavailableAt.add(System.nanoTime());
        long wait = retryAfterMillis(r.headers(), r.body(), "POST " + key);
        if (wait < 0) {
          return;
        }
        sleep(wait);
        if (stopped) {
          inDoubt.put(key, mode);
          return;
        }
        continue;
      }
      if (s == 429) {
        busy.incrementAndGet();
        sleep(50 + ThreadLocalRandom.current().nextInt(100));
        if (stopped) {
          inDoubt.put(key, mode); // never accepted: sent again by whoever resends the in-doubt
          return;
        }
        continue;
      }
      if (s != 200 && s != 202) {
        failures.add("POST " + key + " answered " + s + ": " + r.body());
        return;
      }
      try {
        String id = LoadApi.JSON.readTree(r.body()).get("id").asText();
        String first = runOfKey.putIfAbsent(key, id);
        if (first != null && !first.equals(id)) {
          failures.add("key " + key + " named run " + first + ", then run " + id);
        }
        acceptedAt.add(System.nanoTime());
        accepted.put(id, mode);
        recent.add(id);
        inDoubt.remove(key);
      } catch (IOException e) {
        failures.add("POST " + key + " answered unreadable JSON: " + r.body());
      }
      return;
    }
  }

  /**
   * Checks a 503 answer is an RFC 9457 problem with a {@code Retry-After} in seconds (RFC 9110
   * §10.2.3) and returns how long to wait, in milliseconds; notes a failure and returns -1 if not.
   */
  private long retryAfterMillis(java.net.http.HttpHeaders headers, String body, String what) {
    String type = headers.firstValue("content-type").orElse("");
    String after = headers.firstValue("retry-after").orElse("");
    if (!type.startsWith("application/problem+json") || !after.matches("[0-9]+")) {
      failures.add(what + " answered 503 (" + type + ", Retry-After " + after + "): " + body);
      return -1;
    }
    return Long.parseLong(after) * 1000;
  }

  /** Starts {@code n} followers, each following a random one of the 32 latest runs, repeatedly. */
  void followers(int n) {
    followers(n, api);
  }

  /**
   * Starts {@code n} followers of this driver's latest runs that follow them on {@code on}, e.g.
   * another node of the same database.
   */
  void followers(int n, LoadApi on) {
    for (int t = 0; t < n; t++) {
      threads.add(
          Thread.ofVirtual()
              .name("follow-" + t)
              .start(
                  () -> {
                    while (!stopped) {
                      String id = pickRecent();
                      if (id == null) {
                        sleep(20);
                        continue;
                      }
                      follow(on, id);
                    }
                  }));
    }
  }

  private String pickRecent() {
    synchronized (recent) {
      if (recent.isEmpty()) {
        return null;
      }
      int from = Math.max(0, recent.size() - 32);
      return recent.get(ThreadLocalRandom.current().nextInt(from, recent.size()));
    }
  }

  private void follow(LoadApi on, String id) {
    List<String> lines;
    long sentAt = System.nanoTime();
    try {
      lines = on.follow(id);
    } catch (LoadApi.Refused e) {
      if (e.status == 503 && waitOutUnavailable) {
        unavailableAt.add(System.nanoTime());
        followsUnavailable.incrementAndGet();
        long wait = retryAfterMillis(e.headers, e.body, "follow " + id);
        if (wait > 0) {
          sleep(wait);
        }
      } else if (!stopped) {
        failures.add("follow " + id + ": " + e.getMessage());
      }
      return;
    } catch (IOException e) {
      if (!stopped) {
        failures.add("follow " + id + ": " + e);
      }
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    List<String> stdout = new ArrayList<>();
    String end = null;
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).equals("event: stdout") && lines.get(i + 1).startsWith("data: ")) {
        stdout.add(lines.get(i + 1).substring(6));
      } else if (lines.get(i).equals("event: end")) {
        end = lines.get(i + 1);
      }
    }
    if (end == null && stopped) {
      return; // cut off by the server's death
    }
    follows.add(new Follow(id, stdout, end, sentAt, System.nanoTime()));
  }

  /** Returns whether every submitter has finished. */
  boolean submittersDone() {
    return threads.stream()
        .filter(t -> t.getName().startsWith("submit-"))
        .noneMatch(Thread::isAlive);
  }

  /** Stops every thread and waits for them. */
  void stop() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) {
      t.join(130_000);
    }
  }

  /** Marks the driver stopped without waiting, e.g. right before the server is killed. */
  void stopping() {
    stopped = true;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
