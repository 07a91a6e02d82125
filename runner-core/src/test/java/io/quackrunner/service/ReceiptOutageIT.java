package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.store.Completion;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.store.Schema;
import io.quackrunner.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A receipt due while the shared PostgreSQL is down (stopped {@code pg_ctl stop -m fast} longer
 * than the pool's 3 s connection timeout) is appended once the database is back, once: the run does
 * not stay without a receipt until its node restarts (DatabaseRestartIT found that), and a retried
 * append whose first attempt had committed is not appended again.
 */
class ReceiptOutageIT {
  @Test
  void aReceiptDueDuringAnOutageIsAppendedOnceWhenTheDatabaseIsBack() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url =
          pg.createDatabase("receipt_outage")
              + "?user="
              + PostgresServer.USER
              + "&password="
              + PostgresServer.PASSWORD;
      Path state = Files.createTempDirectory("qr-receipt-outage-");
      Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
      try (PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.MIGRATE, 4);
          RunStore store = PostgresRunStore.open(db);
          ReceiptLog log = ReceiptLog.open(state, PostgresLedgerStore.open(db))) {
        RunRecord ended = ended(store);
        LedgerReceiptIssuer issuer = new LedgerReceiptIssuer(log);

        pg.stop();
        CompletableFuture<IssuedReceipt> issued =
            CompletableFuture.supplyAsync(() -> issuer.issue(ended, null));
        Thread.sleep(5_000); // longer than the pool's connection timeout: the first append fails
        assertThat(issued).as("still waiting for the database").isNotDone();
        pg.startAgain();

        IssuedReceipt ir = issued.get(60, TimeUnit.SECONDS);
        assertThat(log.ledger().size()).as("one ledger entry").isEqualTo(1);
        assertThat(ir.ledgerIndex()).isZero();
        assertThat(new String(log.ledger().entry(0), StandardCharsets.UTF_8))
            .isEqualTo(ir.envelopeJson());
        assertThat(
                ReceiptStatement.parse(
                        io.quackrunner.receipts.Dsse.parse(log.ledger().entry(0)).payload())
                    .predicate()
                    .executionId())
            .isEqualTo(ended.id());

        // The retry after an append whose answer was lost finds the committed entry.
        byte[] envelope = ir.envelopeJson().getBytes(StandardCharsets.UTF_8);
        assertThat(log.appendOnce(envelope).index()).isZero();
        assertThat(log.ledger().size()).as("not appended twice").isEqualTo(1);
      }
    }
  }

  private static RunRecord ended(RunStore store) {
    RunRecord r = StoredRuns.running(store, "test:1");
    assertThat(
            store.finish(
                r.id(),
                new Completion(
                    RunStatus.FAILED,
                    Instant.now(),
                    1,
                    null,
                    ErrorKind.EXECUTION_FAILED,
                    "exit code 1",
                    null)))
        .isTrue();
    return store.find(r.id()).orElseThrow();
  }
}
