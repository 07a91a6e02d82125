package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting on a run another process owns (another node, or the shared queue's claimer) ends when the
 * run is terminal with its receipt, as waiting on a run of this process does; a real SQLite store.
 */
class RunCompletionsTest {
  @TempDir Path state;

  @Test
  void aWatchedRunIsCompleteOnlyOnceItsReceiptIsRecorded() throws Exception {
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      RunCompletions completions = new RunCompletions(store, "here:1", o -> true, r -> {}, true);
      RunRecord r = StoredRuns.running(store, "there:1");
      CompletableFuture<RunRecord> f = completions.of(r.id());
      assertThat(store.finish(r.id(), failed())).isTrue();
      Thread.sleep(10 * RunCompletions.POLL_MS); // the watcher reads the terminal record meanwhile
      assertThat(f).as("terminal, but its owner has not recorded the receipt yet").isNotDone();
      assertThat(store.setReceipt(r.id(), "{\"receipt\":1}", 0L)).isTrue();
      RunRecord done = f.get(10, TimeUnit.SECONDS);
      assertThat(done.status()).isEqualTo(RunStatus.FAILED);
      assertThat(done.receiptJson()).isEqualTo("{\"receipt\":1}");
    }
  }

  @Test
  void aWatchedRunWhoseOwnerDiedBeforeItsReceiptIsCompleteWithout() throws Exception {
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      java.util.Set<String> dead = java.util.concurrent.ConcurrentHashMap.newKeySet();
      RunCompletions completions =
          new RunCompletions(store, "here:1", o -> !dead.contains(o), r -> {}, true);
      RunRecord r = StoredRuns.running(store, "there:1");
      CompletableFuture<RunRecord> f = completions.of(r.id());
      assertThat(store.finish(r.id(), failed())).isTrue();
      Thread.sleep(10 * RunCompletions.POLL_MS);
      assertThat(f).isNotDone();
      dead.add("there:1"); // the caller reconciles the receipt (RunRecovery.awaitReceipt)
      RunRecord done = f.get(10, TimeUnit.SECONDS);
      assertThat(done.status()).isEqualTo(RunStatus.FAILED);
      assertThat(done.receiptJson()).isNull();
    }
  }

  @Test
  void withoutReceiptsAWatchedRunIsCompleteAtItsTerminalWrite() throws Exception {
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      RunCompletions completions = new RunCompletions(store, "here:1", o -> true, r -> {}, false);
      RunRecord r = StoredRuns.running(store, "there:1");
      CompletableFuture<RunRecord> f = completions.of(r.id());
      assertThat(store.finish(r.id(), failed())).isTrue();
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.FAILED);
    }
  }

  private static Completion failed() {
    return new Completion(
        RunStatus.FAILED, Instant.now(), 3, null, ErrorKind.EXECUTION_FAILED, "exit code 3", null);
  }
}
