package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.ledger.LedgerVerification;
import io.quackrunner.receipts.ReceiptLog;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner ledger checkpoint|proof|consistency|verify}: the state directory's RFC 9162 receipt
 * log. Proofs print as JSON with base64 hashes; checkpoints in the C2SP tlog-checkpoint signed-note
 * format.
 */
@Command(
    name = "ledger",
    description = "Checkpoints, proofs and verification of the receipt ledger",
    subcommands = {
      LedgerCommand.CheckpointCmd.class,
      LedgerCommand.Proof.class,
      LedgerCommand.Consistency.class,
      LedgerCommand.Verify.class
    })
public final class LedgerCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Override
  public Integer call() {
    throw new RunnerException(
        ErrorKind.USAGE, "ledger needs a subcommand: checkpoint, proof, consistency or verify");
  }

  <T> T withLog(Function<ReceiptLog, T> f) {
    try (ReceiptLog log = ReceiptLog.open(Engine.stateDir(System.getenv()))) {
      return f.apply(log);
    }
  }

  /** Signs and prints a checkpoint of the whole log. */
  @Command(name = "checkpoint", description = "Sign and print a checkpoint of the ledger")
  static final class CheckpointCmd implements Callable<Integer> {
    @ParentCommand LedgerCommand ledger;

    @Override
    public Integer call() {
      String text = ledger.withLog(log -> log.ledger().checkpoint().text());
      ledger.runner.context().out().print(text);
      return 0;
    }
  }

  /** Prints the inclusion proof of entry N in the tree of size M (default: the whole log). */
  @Command(name = "proof", description = "Print the inclusion proof of one entry (RFC 9162 2.1.3)")
  static final class Proof implements Callable<Integer> {
    @ParentCommand LedgerCommand ledger;

    @Option(names = "--index", required = true, paramLabel = "N")
    long index;

    @Option(names = "--size", paramLabel = "M", description = "tree size (default: the log's size)")
    Long size;

    @Override
    public Integer call() {
      String json =
          ledger.withLog(
              log ->
                  log.ledger()
                      .inclusionProof(index, size == null ? log.ledger().size() : size)
                      .toJson());
      ledger.runner.context().out().println(json);
      return 0;
    }
  }

  /** Prints the consistency proof between two tree sizes. */
  @Command(name = "consistency", description = "Print a consistency proof (RFC 9162 2.1.4)")
  static final class Consistency implements Callable<Integer> {
    @ParentCommand LedgerCommand ledger;

    @Option(names = "--from", required = true, paramLabel = "A")
    long from;

    @Option(names = "--to", required = true, paramLabel = "B")
    long to;

    @Override
    public Integer call() {
      String json = ledger.withLog(log -> log.ledger().consistencyProof(from, to).toJson());
      ledger.runner.context().out().println(json);
      return 0;
    }
  }

  /** Recomputes the whole tree and checks every checkpoint; names the first altered entry. */
  @Command(
      name = "verify",
      description = "Recompute the whole ledger; name the first altered entry")
  static final class Verify implements Callable<Integer> {
    @ParentCommand LedgerCommand ledger;

    @Override
    public Integer call() {
      LedgerVerification v = ledger.withLog(log -> log.ledger().verify(log.keys().verifierKeys()));
      if (!v.ok()) {
        throw new RunnerException(
            ErrorKind.VERIFICATION_FAILED,
            "ledger verification failed at entry " + v.firstBadIndex() + ": " + v.problem());
      }
      ledger.runner.context().out().println("ok: " + v.size() + " entries verified");
      return 0;
    }
  }
}
