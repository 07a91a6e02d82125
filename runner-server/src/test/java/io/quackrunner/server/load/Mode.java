package io.quackrunner.server.load;

import java.util.Set;

/** What one load run does, the limits it is given and the statuses it may end with. */
enum Mode {
  QUICK("quick", null, Set.of("SUCCEEDED")),
  PYTHON("python", null, Set.of("SUCCEEDED")),
  SLOW("slow", null, Set.of("SUCCEEDED")),
  FAIL("fail", null, Set.of("FAILED")),
  BOMB("bomb", "{\"memory_bytes\":67108864}", Set.of("LIMIT_EXCEEDED")),
  HANG("hang", "{\"wall_time_ms\":1000}", Set.of("TIMED_OUT"));

  private static final Mode[] MIX = {
    QUICK, QUICK, QUICK, PYTHON, SLOW, SLOW, FAIL, FAIL, BOMB, HANG
  };
  final String param;
  private final String limits;
  final Set<String> ends;

  Mode(String param, String limits, Set<String> ends) {
    this.param = param;
    this.limits = limits;
    this.ends = ends;
  }

  /** The mode of the i-th run of a load: 40% quick, 20% slow, 20% failing, 20% over a limit. */
  static Mode of(int i) {
    return MIX[Math.floorMod(i * 7 + 3, MIX.length)];
  }

  /**
   * Returns the RunRequest JSON of this mode with its own idempotency key, or without one when
   * {@code key} is null (e.g. sent in the Idempotency-Key header).
   */
  String request(String key) {
    return "{\"tool\":\"load\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"mode\":\""
        + param
        + "\"}"
        + (key == null ? "" : ",\"idempotency_key\":\"" + key + "\"")
        + (limits == null ? "" : ",\"limits\":" + limits)
        + "}";
  }
}
