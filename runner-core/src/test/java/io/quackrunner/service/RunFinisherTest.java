package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finish the store refuses issues no receipt: the run keeps the end and the one receipt its first
 * writer gave it (DESIGN invariant 2), on a real SQLite store and ledger.
 */
class RunFinisherTest {
  @TempDir Path state;

  @Test
  void aRefusedFinishOrThrowIssuesNoReceiptAndNoLedgerEntry() {
    try (RunStore store = RunStore.open(state.resolve("runs.db"));
        ReceiptLog log = ReceiptLog.open(state)) {
      RunFinisher finisher = finisher(store, new LedgerReceiptIssuer(log));
      RunRecord r = StoredRuns.running(store, "test:1");
      assertThat(finisher.finish(r.id(), ended(RunStatus.INTERRUPTED), null)).isTrue();
      RunRecord first = store.find(r.id()).orElseThrow();
      assertThat(first.receiptJson()).isNotNull();
      assertThat(log.ledger().size()).isEqualTo(1);

      assertThatThrownBy(() -> finisher.finishOrThrow(r.id(), ended(RunStatus.SUCCEEDED), null))
          .isInstanceOfSatisfying(
              RunnerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT))
          .hasMessageContaining("already ended (INTERRUPTED)")
          .hasMessageContaining("no receipt was issued");

      assertThat(log.ledger().size()).as("no second ledger entry").isEqualTo(1);
      RunRecord after = store.find(r.id()).orElseThrow();
      assertThat(after.status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(after.receiptJson()).isEqualTo(first.receiptJson());
      assertThat(after.ledgerIndex()).isEqualTo(first.ledgerIndex());
    }
  }

  @Test
  void aRefusedFinishIssuesNoReceiptEvenWhenTheFirstWriterHasNotRecordedOneYet() {
    try (RunStore store = RunStore.open(state.resolve("runs.db"));
        ReceiptLog log = ReceiptLog.open(state)) {
      RunFinisher finisher = finisher(store, new LedgerReceiptIssuer(log));
      RunRecord r = StoredRuns.running(store, "test:1");
      // Another writer ended the run and has not issued its receipt yet.
      assertThat(store.finish(r.id(), ended(RunStatus.CANCELLED))).isTrue();

      assertThat(finisher.finish(r.id(), ended(RunStatus.SUCCEEDED), null)).isFalse();
      assertThatThrownBy(() -> finisher.finishOrThrow(r.id(), ended(RunStatus.FAILED), null))
          .isInstanceOf(RunnerException.class);

      assertThat(log.ledger().size()).isZero();
      RunRecord after = store.find(r.id()).orElseThrow();
      assertThat(after.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(after.receiptJson()).isNull();
    }
  }

  private static RunFinisher finisher(RunStore store, ReceiptIssuer receipts) {
    RunCompletions completions = new RunCompletions(store, "test:1", o -> true, r -> {}, true);
    return new RunFinisher(
        store, receipts, new RunLogs(), completions, () -> RunEvents.NONE, () -> {});
  }

  private static Completion ended(RunStatus status) {
    return new Completion(
        status,
        Instant.now(),
        null,
        null,
        status == RunStatus.SUCCEEDED || status == RunStatus.CANCELLED
            ? null
            : ErrorKind.EXECUTION_FAILED,
        null,
        null);
  }
}
