package io.quackrunner.server.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-run invariants, checked through the API: every accepted run ends, with a status its mode
 * allows, exactly the log its mode writes (so it ran once, or not at all when INTERRUPTED before
 * its first line) and one signed receipt naming it and its status; and every SSE follower saw
 * exactly the stored log and the final status.
 */
final class RunChecks {
  final List<String> problems = new ArrayList<>();
  final Map<String, Integer> statuses = new TreeMap<>();
  final Map<String, String> finalStatus = new ConcurrentHashMap<>();
  final Map<String, List<String>> stdout = new ConcurrentHashMap<>();

  /** Runs that ended without a receipt (a problem too, unless the caller tolerates it). */
  final java.util.Set<String> withoutReceipt = new java.util.TreeSet<>();

  private final LoadApi api;
  private final boolean interruptible;

  /**
   * @param interruptible whether a run may have been cut off by a killed server (INTERRUPTED)
   */
  RunChecks(LoadApi api, boolean interruptible) {
    this.api = api;
    this.interruptible = interruptible;
  }

  /** Waits until every run has a terminal status; returns false (and notes it) on timeout. */
  boolean awaitAll(Map<String, Mode> runs, long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    for (String id : runs.keySet()) {
      while (true) {
        String s = api.run(id).get("status").asText();
        if (!s.equals("QUEUED") && !s.equals("RUNNING")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          problems.add("run " + id + " is still " + s);
          return false;
        }
        Thread.sleep(50);
      }
    }
    return true;
  }

  static List<String> expectedStdout(Mode m, String id) {
    List<String> out = new ArrayList<>();
    out.add("exec " + id);
    switch (m) {
      case QUICK, PYTHON -> out.add("done");
      case SLOW -> {
        for (int i = 0; i < 10; i++) {
          out.add("tick " + i);
        }
        out.add("done");
      }
      case HANG -> out.add("hanging");
      case FAIL, BOMB -> {}
    }
    return out;
  }

  void checkRuns(Map<String, Mode> runs) throws Exception {
    for (Map.Entry<String, Mode> e : runs.entrySet()) {
      String id = e.getKey();
      Mode mode = e.getValue();
      JsonNode run = api.run(id);
      String status = run.get("status").asText();
      finalStatus.put(id, status);
      statuses.merge(mode.param + " " + status, 1, Integer::sum);
      List<String> log = api.get("/runs/" + id + "/logs?stream=stdout").body().lines().toList();
      stdout.put(id, log);
      List<String> expected = expectedStdout(mode, id);
      if (status.equals("INTERRUPTED")) {
        if (!interruptible) {
          problems.add(id + " INTERRUPTED without a restart");
        }
        if (!run.at("/error/detail").asText().contains("not re-executed")) {
          problems.add(id + " INTERRUPTED without saying it was not re-executed: " + run);
        }
        if (run.at("/timings/started_at").isNull()
            || run.at("/timings/started_at").isMissingNode()) {
          problems.add(id + " INTERRUPTED but never started");
        }
        if (log.size() > expected.size() || !expected.subList(0, log.size()).equals(log)) {
          problems.add(id + " INTERRUPTED with a log that is no prefix of one execution's: " + log);
        }
      } else {
        if (!mode.ends.contains(status)) {
          problems.add(id + " (" + mode.param + ") ended " + status + ": " + run.get("error"));
        }
        // A wall-time kill can land at any point of the tool's output: on a loaded host the hang
        // tool may not reach its first echo within its 1 s (KillLoopIT once saw a resumed hang run
        // TIMED_OUT with an empty log, at load 17). What it did print must still be one
        // execution's, and the executions per run are counted from run.started separately.
        boolean cutByWallTime = mode == Mode.HANG && status.equals("TIMED_OUT");
        boolean ok =
            cutByWallTime
                ? log.size() <= expected.size() && expected.subList(0, log.size()).equals(log)
                : log.equals(expected);
        if (!ok) {
          problems.add(id + " (" + mode.param + ") stdout " + log + ", expected " + expected);
        }
      }
      JsonNode st = api.receiptStatement(id);
      if (st == null) {
        withoutReceipt.add(id);
        if (!interruptible) {
          problems.add(id + " has no receipt");
        }
      } else {
        if (!st.at("/predicate/execution_id").asText().equals(id)) {
          problems.add(id + " receipt names " + st.at("/predicate/execution_id"));
        }
        if (!st.at("/predicate/run_status").asText().equals(status)) {
          problems.add(id + " receipt says " + st.at("/predicate/run_status") + ", run " + status);
        }
      }
    }
  }

  /** Checks each completed follow against the run's stored log and final status. */
  void checkFollows(List<LoadDriver.Follow> follows) throws Exception {
    for (LoadDriver.Follow f : follows) {
      String status = finalStatus.get(f.runId());
      if (status == null) {
        problems.add("followed unknown run " + f.runId());
        continue;
      }
      if (f.endData() == null) {
        problems.add("follow of " + f.runId() + " had no end event");
        continue;
      }
      String endStatus = LoadApi.JSON.readTree(f.endData().substring(6)).get("status").asText();
      if (!endStatus.equals(status)) {
        problems.add("follow of " + f.runId() + " ended " + endStatus + ", run " + status);
      }
      if (!f.stdout().equals(stdout.get(f.runId()))) {
        problems.add(
            "follow of " + f.runId() + " saw " + f.stdout() + ", stored " + stdout.get(f.runId()));
      }
    }
  }
}
