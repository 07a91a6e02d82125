package io.quackrunner.service;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.ledger.PostgresLedgerStore;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.logs.LogListener;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.store.PostgresDatabase;
import io.quackrunner.store.PostgresRunStore;
import io.quackrunner.store.Schema;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One gateway node as its own OS process, for {@code NodeFailoverIT}: a {@link RunService} on a
 * shared PostgreSQL database with a short lease. Prints {@code JOINED <owner>}; with {@code exec
 * <seconds>} it then runs {@code sleep <seconds>} as a raw command, printing {@code EXEC-ID <id>}
 * before and {@code EXEC-DONE <status>} or {@code EXEC-REFUSED <exception> <message>} after. It
 * stays up until killed.
 *
 * <p>Arguments: {@code <jdbc url> <state dir> <node id> <lease ms> idle|exec <seconds>}.
 */
public final class NodeChild {
  private NodeChild() {}

  /** Runs the node. */
  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path state = Path.of(args[1]);
    Files.createDirectories(state);
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    PostgresDatabase db = PostgresDatabase.open(url, Schema.Policy.MIGRATE, 6);
    PostgresLedgerStore ledger = PostgresLedgerStore.open(db);
    ReceiptLog log = ReceiptLog.open(state, ledger);
    var key = log.keys().active().verifierKey();
    NodeRegistry nodes =
        NodeRegistry.shared(
                args[2],
                Duration.ofMillis(Long.parseLong(args[3])),
                key.keyId(),
                Base64.getEncoder().encodeToString(key.publicKey()))
            .alsoFence(ledger::fence);
    RunService s =
        RunService.open(
            new ServiceConfig(state, 2, 4),
            ToolRegistry.empty(),
            LimitsPolicy.builtIn(),
            new LedgerReceiptIssuer(log),
            () -> PostgresRunStore.open(db),
            nodes);
    s.recover();
    System.out.println("JOINED " + nodes.lease().owner());
    System.out.flush();
    if (args[4].equals("exec")) {
      String id = Executor.newExecutionId();
      System.out.println("EXEC-ID " + id);
      System.out.flush();
      try {
        CommandRun r =
            s.exec(
                "local",
                new ExecRequest(
                    id,
                    List.of("sleep", args[5]),
                    null,
                    null,
                    state.resolve("out-" + id),
                    Map.of(),
                    null),
                null,
                null,
                RunOrigin.CLI,
                LogListener.NONE);
        System.out.println("EXEC-DONE " + r.record().status());
      } catch (RunnerException e) {
        System.out.println(
            "EXEC-REFUSED " + e.getClass().getSimpleName() + " " + e.kind() + " " + e.getMessage());
      }
      System.out.flush();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
