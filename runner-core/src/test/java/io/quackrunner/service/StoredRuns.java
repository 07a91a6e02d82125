package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.time.Instant;
import java.util.UUID;

/** Runs written straight into a real store, for tests of the service's parts. */
final class StoredRuns {
  private StoredRuns() {}

  /** Claims a fresh raw-command run owned by {@code owner} and marks it RUNNING. */
  static RunRecord running(RunStore store, String owner) {
    RunRecord r =
        RunRecord.queued(
            UUID.randomUUID().toString(),
            "t",
            "trig-" + UUID.randomUUID(),
            "req",
            CommandTool.TOOL,
            "0",
            CommandTool.TOOL,
            "{}",
            Instant.now(),
            owner);
    assertThat(store.claim(r).created()).isTrue();
    assertThat(store.markRunning(r.id(), Instant.now())).isTrue();
    return r;
  }
}
