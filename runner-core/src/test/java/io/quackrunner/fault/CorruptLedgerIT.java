package io.quackrunner.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.LedgerVerification;
import io.quackrunner.ledger.SqliteLedgerStore;
import io.quackrunner.receipts.SigningKey;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger's SQLite file is damaged on disk. Stated outcome: opening or auditing it fails with a
 * RunnerException naming the file (or the audit reports the damage); the file is never reset or
 * rewritten, and an empty ledger is never reported in its place.
 */
class CorruptLedgerIT {
  private static final String ORIGIN = "fault/ledger";
  private static final int ENTRIES = 2000;
  private final SigningKey key = SigningKey.generate("fault.quackrunner/ledger");
  private Path dir;
  private Path db;

  @BeforeEach
  void makeLedger() throws Exception {
    dir = Files.createTempDirectory("qr-corrupt-ledger-");
    db = dir.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), ORIGIN, key)) {
      for (int i = 0; i < ENTRIES; i += 100) {
        java.util.List<byte[]> batch = new java.util.ArrayList<>();
        for (int j = i; j < i + 100; j++) {
          batch.add(
              ("{\"receipt\":" + j + ",\"pad\":\"" + "x".repeat(200) + "\"}")
                  .getBytes(StandardCharsets.UTF_8));
        }
        ledger.appendAll(batch);
      }
      ledger.checkpoint();
    }
    assertThat(db.resolveSibling("ledger.db-wal"))
        .as("WAL checkpointed on close")
        .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(Files.size(p)).isZero());
  }

  @AfterEach
  void remove() throws Exception {
    TmpfsMount.run("rm", "-rf", dir.toString());
  }

  private void overwrite(long offset, int length, byte value) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      byte[] b = new byte[length];
      Arrays.fill(b, value);
      f.seek(offset);
      f.write(b);
    }
  }

  /** Opens and audits; returns the failure, or null if the audit itself reported the damage. */
  private RunnerException openAndAudit() throws Exception {
    byte[] before = Files.readAllBytes(db);
    RunnerException failure = null;
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), ORIGIN, key)) {
      assertThat(ledger.size()).as("an empty ledger in place of a damaged one").isNotZero();
      LedgerVerification v = ledger.verify(List.of(key.verifierKey()));
      assertThat(v.ok()).as("a damaged ledger verified").isFalse();
    } catch (RunnerException e) {
      failure = e;
    }
    assertThat(Files.readAllBytes(db)).as("the damaged file was rewritten").isEqualTo(before);
    if (failure != null) {
      assertThat(failure.getMessage()).as("the error names the file").contains(db.toString());
    }
    return failure;
  }

  @Test
  void garbageHeaderIsAnErrorNamingTheFile() throws Exception {
    overwrite(0, 100, (byte) 'x');
    assertThat(openAndAudit()).isNotNull();
  }

  @Test
  void garbagePagesAreAnErrorNamingTheFile() throws Exception {
    long size = Files.size(db);
    overwrite(size / 2, 16384, (byte) 0xA5);
    openAndAudit();
  }

  @Test
  void truncatedFileIsAnErrorNamingTheFile() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    openAndAudit();
  }

  @Test
  void aFileTruncatedToZeroBytesIsRefusedNotReopenedEmpty() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(0);
    }
    RunnerException failure = openAndAudit();
    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).contains("is empty (0 bytes)");
    assertThat(Files.size(db)).isZero();
  }
}
