package io.quackrunner.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.LedgerVerification;
import io.quackrunner.ledger.SqliteLedgerStore;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The state directory's file system fills up: during a run (logs, artifacts) and during a ledger
 * append. Stated outcomes: the run fails with a RunnerException naming ENOSPC well before its wall
 * limit and leaves no mount behind; the append fails with RECEIPT_COMMIT_FAILED, and the ledger
 * still verifies and holds every acknowledged entry, before and after space comes back.
 */
class DiskFullIT {
  private static final long WALL_MS = 30_000;
  private TmpfsMount state;

  @AfterEach
  void unmount() throws Exception {
    if (state != null) {
      state.close();
    }
  }

  private Executor executorOnTwoMiB() throws Exception {
    state = TmpfsMount.of("2m");
    SandboxConfig cfg = SandboxConfig.standard(state.dir());
    return new Executor(
        BubblewrapSandbox.open(cfg), cfg, RuntimeProfiles.builtIn(), LimitsPolicy.builtIn());
  }

  private RunnerException runFails(Executor executor, String script) {
    ExecRequest req =
        new ExecRequest(
            null,
            List.of("sh", "-c", script),
            null,
            null,
            state.dir().resolve("out"),
            Map.of(),
            new LimitsRequest(WALL_MS, null, null, null, null, null, null, null, null));
    long t0 = System.nanoTime();
    RunnerException e =
        (RunnerException)
            org.assertj.core.api.Assertions.catchThrowable(
                () -> executor.execute(req, LogListener.NONE));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(e).as("the run must fail, not succeed").isNotNull();
    assertThat(ms).as("ended by the error, not by the wall limit").isLessThan(WALL_MS / 2);
    return e;
  }

  @Test
  void logsLargerThanTheStateDiskFailTheRunNamingEnospc() throws Exception {
    Executor executor = executorOnTwoMiB();
    RunnerException e = runFails(executor, "head -c 4194304 /dev/zero; echo done >&2");
    assertThat(e.kind()).isEqualTo(ErrorKind.EXECUTION_FAILED);
    assertThat(e.getMessage()).contains("No space left on device").contains("stdout");
    assertThat(state.mountsBelow()).as("workspace mounts left behind").isEmpty();
  }

  @Test
  void artifactsLargerThanTheStateDiskFailTheRunNamingEnospc() throws Exception {
    Executor executor = executorOnTwoMiB();
    RunnerException e = runFails(executor, "head -c 3145728 /dev/zero > $OUT_DIR/big.bin");
    assertThat(e.kind()).isEqualTo(ErrorKind.EXECUTION_FAILED);
    assertThat(e.getMessage()).contains("No space left on device");
    assertThat(state.mountsBelow()).as("workspace mounts left behind").isEmpty();
  }

  @Test
  void ledgerAppendOnAFullDiskFailsAndKeepsEveryAcknowledgedEntry() throws Exception {
    state = TmpfsMount.of("1m");
    Path db = state.dir().resolve("ledger.db");
    SigningKey key = SigningKey.generate("fault.quackrunner/ledger");
    Map<Long, byte[]> acknowledged = new TreeMap<>();
    RunnerException failure = null;
    Random random = new Random(5);
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), "fault/ledger", key)) {
      for (int i = 0; i < 1000 && failure == null; i++) {
        byte[] entry = new byte[4096];
        random.nextBytes(entry);
        try {
          acknowledged.put(ledger.append(entry), entry);
          if (i % 16 == 0) {
            ledger.checkpoint();
          }
        } catch (RunnerException e) {
          failure = e;
        }
      }
      assertThat(failure).as("1000 entries of 4 KiB cannot fit in 1 MiB").isNotNull();
      assertThat(failure.kind()).isEqualTo(ErrorKind.RECEIPT_COMMIT_FAILED);
      assertThat(failure.getMessage()).containsIgnoringCase("full");
      assertThat(acknowledged).isNotEmpty();
      checkLedger(ledger, key, acknowledged);
    }
    state.remount("size=16m");
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), "fault/ledger", key)) {
      checkLedger(ledger, key, acknowledged);
      byte[] more = "after the disk was freed".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(ledger.append(more)).isEqualTo(acknowledged.size());
      assertThat(ledger.verify(List.of(key.verifierKey())).ok()).isTrue();
    }
  }

  private static void checkLedger(Ledger ledger, SigningKey key, Map<Long, byte[]> acknowledged) {
    LedgerVerification v = ledger.verify(List.of(key.verifierKey()));
    assertThat(v.ok()).as("%s", v.problem()).isTrue();
    assertThat(ledger.size()).isEqualTo(acknowledged.size());
    acknowledged.forEach((index, entry) -> assertThat(ledger.entry(index)).isEqualTo(entry));
  }
}
