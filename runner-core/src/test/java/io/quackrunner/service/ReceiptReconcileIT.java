package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Exactly one receipt per run across a crash between the ledger append and the record update: on
 * start, a terminal run without a recorded receipt gets the one already in the ledger, or a new one
 * if none was appended — never a second.
 */
class ReceiptReconcileIT {
  @Test
  void recoveryLinksTheAppendedReceiptOrIssuesTheMissingOne() throws Exception {
    Path state = Files.createTempDirectory("qr-reconcile-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    long appendedIndex;
    try (RunStore store = RunStore.open(state.resolve("runs.db"));
        ReceiptLog log = ReceiptLog.open(state)) {
      RunRecord appended = finished(store, "dead:1", "t1");
      RunRecord missing = finished(store, "dead:1", "t2");
      // The crash: the first run's receipt reached the ledger, its record never heard of it.
      appendedIndex =
          new LedgerReceiptIssuer(log)
              .issue(store.find(appended.id()).orElseThrow(), null)
              .ledgerIndex();
      assertThat(store.terminalWithoutReceipt())
          .extracting(RunRecord::id)
          .containsExactly(appended.id(), missing.id());
    }
    ToolRegistry registry =
        ToolRegistry.load(
            Path.of("../registry/tools.yaml").toAbsolutePath(), RuntimeProfiles.builtIn().ids());
    try (ReceiptLog log = ReceiptLog.open(state);
        RunService service =
            RunService.open(
                new ServiceConfig(state, 1, 4),
                registry,
                LimitsPolicy.builtIn(),
                new LedgerReceiptIssuer(log))) {
      service.recover();
      assertThat(service.store().terminalWithoutReceipt()).isEmpty();
      var records = service.store().list("t", 10);
      assertThat(records).allSatisfy(r -> assertThat(r.receiptJson()).isNotNull());
      assertThat(records.stream().map(RunRecord::ledgerIndex)).contains(appendedIndex);
      assertThat(log.ledger().size()).as("one receipt per run, none twice").isEqualTo(2);
    }
  }

  private static RunRecord finished(RunStore store, String owner, String trigger) {
    RunRecord r =
        RunRecord.queued(
            java.util.UUID.randomUUID().toString(),
            "t",
            trigger,
            trigger,
            CommandTool.TOOL,
            "0",
            CommandTool.TOOL,
            "{}",
            Instant.now(),
            owner);
    store.claim(r);
    store.markRunning(r.id(), Instant.now());
    store.finish(
        r.id(),
        new Completion(
            RunStatus.FAILED,
            Instant.now(),
            1,
            null,
            ErrorKind.EXECUTION_FAILED,
            "exit code 1",
            null));
    return r;
  }
}
