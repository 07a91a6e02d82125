package io.quackrunner.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the time of one run went, phase by phase, in nanoseconds of the monotonic clock: {@code
 * setup} (cgroup slot, workspace, inputs, launch), {@code exec} (command start to exit), {@code
 * teardown} (kill, wait for an empty cgroup, read counters), {@code collect} (artifacts), {@code
 * reports} (runner.meta.json, sums), and later phases front-ends add ({@code sign}, {@code
 * ledger}).
 */
public final class PhaseTimes {
  private final Map<String, Long> nanos = new LinkedHashMap<>();
  private long mark = System.nanoTime();

  /** Ends the current phase under {@code name} and starts the next. */
  public synchronized void lap(String name) {
    long now = System.nanoTime();
    nanos.merge(name, now - mark, Long::sum);
    mark = now;
  }

  /** Returns the phases in order, nanoseconds each. */
  public synchronized Map<String, Long> asMap() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(nanos));
  }
}
