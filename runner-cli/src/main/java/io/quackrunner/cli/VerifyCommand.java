package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.ConsistencyProof;
import io.quackrunner.ledger.InclusionProof;
import io.quackrunner.receipts.CheckResult;
import io.quackrunner.receipts.LedgerEvidence;
import io.quackrunner.receipts.ReceiptCheck;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptVerifier;
import io.quackrunner.receipts.VerificationReport;
import io.quackrunner.receipts.VerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner verify RECEIPT}: checks a receipt without trusting the runner that made it: the
 * DSSE signature against the given verifier keys, the RFC 8785 canonical form, the artifacts'
 * SHA-256 against the files, inclusion in the ledger and consistency with an earlier checkpoint.
 *
 * <p>Prints one line per check ({@code PASS|FAIL|SKIP check: reason}) and exits 0 when none failed,
 * else with the code of the first failed check: 1 signature, 2 canonical, 3 artifacts, 4 inclusion,
 * 5 consistency (docs/EXIT-CODES.md).
 */
@Command(
    name = "verify",
    description = "Verify a receipt: signature, canonical form, artifacts, ledger")
public final class VerifyCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Parameters(
      index = "0",
      paramLabel = "RECEIPT",
      description = "a DSSE envelope file (receipt.dsse.json)")
  Path receipt;

  @Option(
      names = "--artifacts",
      paramLabel = "DIR",
      description = "directory holding the artifacts")
  Path artifacts;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "verifier key text, or a file holding one")
  List<String> keys = new ArrayList<>();

  @Option(
      names = "--ledger",
      paramLabel = "DIR",
      description = "a runner state directory with the ledger")
  Path ledger;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description = "signed checkpoint for --proof")
  Path checkpoint;

  @Option(names = "--proof", paramLabel = "FILE", description = "inclusion proof JSON (offline)")
  Path proof;

  @Option(
      names = "--earlier",
      paramLabel = "FILE",
      description = "an earlier checkpoint to check consistency with")
  Path earlier;

  @Option(
      names = "--consistency",
      paramLabel = "FILE",
      description = "consistency proof JSON (offline)")
  Path consistency;

  @Override
  public Integer call() {
    byte[] envelope = read(receipt);
    List<VerifierKey> trusted = new ArrayList<>();
    for (String k : keys) {
      Path file = Path.of(k);
      trusted.add(
          VerifierKey.parse(
              Files.isRegularFile(file)
                  ? new String(read(file), StandardCharsets.UTF_8).trim()
                  : k));
    }
    VerificationReport report;
    if (ledger != null) {
      if (proof != null || checkpoint != null || consistency != null) {
        throw new RunnerException(
            ErrorKind.USAGE, "--ledger and --proof/--checkpoint/--consistency exclude each other");
      }
      try (ReceiptLog log = ReceiptLog.open(ledger)) {
        if (trusted.isEmpty()) {
          trusted.addAll(log.keys().verifierKeys());
        }
        LedgerEvidence evidence;
        try {
          evidence =
              LedgerEvidence.from(log.ledger(), envelope, earlier == null ? null : text(earlier));
        } catch (RunnerException e) {
          evidence = null;
          if (e.kind() != ErrorKind.NOT_FOUND) {
            throw e;
          }
        }
        report = new ReceiptVerifier(trusted).verify(envelope, artifacts, evidence);
        if (evidence == null) {
          report = notInLedger(report);
        }
      }
    } else {
      if (trusted.isEmpty()) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "no verifier key: give --key KEY (see 'runner keys show') or --ledger DIR");
      }
      report = new ReceiptVerifier(trusted).verify(envelope, artifacts, offlineEvidence());
    }
    return print(report);
  }

  private LedgerEvidence offlineEvidence() {
    if (proof == null && checkpoint == null) {
      if (earlier != null || consistency != null) {
        throw new RunnerException(
            ErrorKind.USAGE, "--earlier/--consistency need --checkpoint and --proof");
      }
      return null;
    }
    if (proof == null || checkpoint == null) {
      throw new RunnerException(ErrorKind.USAGE, "--proof and --checkpoint go together");
    }
    if ((earlier == null) != (consistency == null)) {
      throw new RunnerException(ErrorKind.USAGE, "--earlier and --consistency go together offline");
    }
    return new LedgerEvidence(
        Checkpoint.parse(text(checkpoint)),
        InclusionProof.parseJson(text(proof)),
        earlier == null ? null : Checkpoint.parse(text(earlier)),
        consistency == null ? null : ConsistencyProof.parseJson(text(consistency)));
  }

  private static VerificationReport notInLedger(VerificationReport r) {
    List<CheckResult> results = new ArrayList<>();
    for (CheckResult c : r.results()) {
      results.add(
          c.check() == ReceiptCheck.INCLUSION
              ? new CheckResult(
                  ReceiptCheck.INCLUSION,
                  CheckResult.Outcome.FAIL,
                  "the receipt is not in the ledger")
              : c);
    }
    return new VerificationReport(results, r.statement());
  }

  private int print(VerificationReport report) {
    var out = runner.context().out();
    CheckResult firstFail = null;
    for (CheckResult c : report.results()) {
      String word =
          switch (c.outcome()) {
            case PASS -> "PASS";
            case FAIL -> "FAIL";
            case SKIPPED -> "SKIP";
          };
      out.println(word + " " + c.check().name().toLowerCase() + ": " + OneLine.of(c.reason()));
      if (c.outcome() == CheckResult.Outcome.FAIL && firstFail == null) {
        firstFail = c;
      }
    }
    out.flush();
    if (firstFail == null) {
      return 0;
    }
    runner
        .context()
        .errors()
        .line(
            "verification failed: "
                + firstFail.check().name().toLowerCase()
                + ": "
                + firstFail.reason());
    return exitCode(firstFail.check());
  }

  /** The documented exit code of a failed check. */
  static int exitCode(ReceiptCheck check) {
    return switch (check) {
      case SIGNATURE -> 1;
      case CANONICAL -> 2;
      case ARTIFACTS -> 3;
      case INCLUSION -> 4;
      case CONSISTENCY -> 5;
    };
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, "cannot read " + p + ": " + e.getMessage());
    }
  }

  private static String text(Path p) {
    return new String(read(p), StandardCharsets.UTF_8);
  }
}
