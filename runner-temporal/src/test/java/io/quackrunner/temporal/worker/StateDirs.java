package io.quackrunner.temporal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.ledger.LedgerVerification;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** State directories of the tests, and what they hold after the runs. */
final class StateDirs {
  static final Path REGISTRY =
      Path.of("src/test/resources/registry/test-tools.yaml").toAbsolutePath();

  private StateDirs() {}

  static Path create() throws IOException {
    Path state = Files.createTempDirectory("qr-temporal-it-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    return state;
  }

  /** Returns how many runs the run store holds. */
  static long runs(Path state) {
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      return store.count();
    }
  }

  /** Returns the ledger's size after checking the whole tree and every checkpoint. */
  static long verifiedLedgerSize(Path state) {
    try (ReceiptLog log = ReceiptLog.open(state)) {
      LedgerVerification v = log.ledger().verify(log.keys().verifierKeys());
      assertThat(v.ok()).as(v.problem()).isTrue();
      return log.ledger().size();
    }
  }
}
