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
import io.quackrunner.receipts.ReceiptPredicate;
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
      names = "--database",
      paramLabel = "URL",
      description =
          "the shared PostgreSQL of the nodes: its ledger, and every node's key (node_keys) besides"
              + " the state directory's ring (--ledger DIR, default: the state directory)")
  String database;

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

  @Option(
      names = "--trigger-key",
      paramLabel = "KEY",
      description = "check the embedded trigger's signature with this verifier key (text or file)")
  List<String> triggerKeys = new ArrayList<>();

  @Override
  public Integer call() {
    int code = verify();
    int t = checkTrigger();
    return code != 0 ? code : t;
  }

  /**
   * Checks the signed trigger the receipt records (predicate {@code trigger}) against the given
   * trigger keys; prints one line, {@code PASS|FAIL|SKIP trigger: …}, only when the receipt records
   * a trigger or a trigger key was given.
   *
   * @return 0, or 6 when the check failed
   */
  private int checkTrigger() {
    var out = runner.context().out();
    ReceiptPredicate.Trigger t;
    try {
      t =
          io.quackrunner.receipts.ReceiptStatement.parse(
                  io.quackrunner.receipts.Dsse.parse(read(receipt)).payload())
              .predicate()
              .trigger();
    } catch (RunnerException e) {
      return 0; // the receipt checks above already failed and said why
    }
    if (t == null) {
      if (triggerKeys.isEmpty()) {
        return 0;
      }
      out.println("FAIL trigger: the receipt records no signed trigger");
      out.flush();
      runner.context().errors().line("verification failed: trigger: none recorded");
      return 6;
    }
    if (triggerKeys.isEmpty()) {
      out.println(
          "SKIP trigger: link "
              + t.linkId()
              + " claims signer "
              + t.signerKeyId()
              + "; give --trigger-key to check its signature");
      out.flush();
      return 0;
    }
    io.quackrunner.receipts.DsseEnvelope env;
    try {
      env =
          io.quackrunner.receipts.Dsse.parse(
              new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(t.envelope()));
    } catch (IOException | RunnerException e) {
      out.println("FAIL trigger: the recorded trigger envelope is malformed");
      out.flush();
      return 6;
    }
    byte[] pae = io.quackrunner.receipts.Dsse.pae(env.payloadType(), env.payload());
    String linkHash = "sha256:" + io.quackrunner.receipts.TriggerHashes.sha256(env.payload());
    for (String k : triggerKeys) {
      VerifierKey key = key(k);
      for (var sig : env.signatures()) {
        if (sig.keyid().equals(key.keyId()) && key.verify(pae, sig.sig())) {
          boolean ok = linkHash.equals(t.linkHash());
          out.println(
              (ok ? "PASS" : "FAIL")
                  + " trigger: link "
                  + t.linkId()
                  + (ok ? " is signed by " + key.keyId() : " does not hash to its link_hash"));
          out.flush();
          if (!ok) {
            runner.context().errors().line("verification failed: trigger: link hash differs");
          }
          return ok ? 0 : 6;
        }
      }
    }
    out.println("FAIL trigger: link " + t.linkId() + " is not signed by a given --trigger-key");
    out.flush();
    runner.context().errors().line("verification failed: trigger: no valid signature by the key");
    return 6;
  }

  private static VerifierKey key(String k) {
    Path file = Path.of(k);
    return VerifierKey.parse(
        Files.isRegularFile(file) ? new String(read(file), StandardCharsets.UTF_8).trim() : k);
  }

  private int verify() {
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
    if (database != null) {
      if (proof != null || checkpoint != null || consistency != null) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "--database and --proof/--checkpoint/--consistency exclude each other");
      }
      Path state =
          ledger != null ? ledger : io.quackrunner.execution.Engine.stateDir(System.getenv());
      report =
          KeysCommand.withDatabase(
              state,
              database,
              (log, nodes) -> {
                if (trusted.isEmpty()) {
                  trusted.addAll(io.quackrunner.service.KeyListing.verifierKeys(log.keys(), nodes));
                }
                return inLedger(log, envelope, trusted);
              });
    } else if (ledger != null) {
      if (proof != null || checkpoint != null || consistency != null) {
        throw new RunnerException(
            ErrorKind.USAGE, "--ledger and --proof/--checkpoint/--consistency exclude each other");
      }
      try (ReceiptLog log = ReceiptLog.open(ledger)) {
        if (trusted.isEmpty()) {
          trusted.addAll(log.keys().verifierKeys());
        }
        report = inLedger(log, envelope, trusted);
      }
    } else {
      if (trusted.isEmpty()) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "no verifier key: give --key KEY (see 'runner keys list'), --ledger DIR or --database URL");
      }
      report = new ReceiptVerifier(trusted).verify(envelope, artifacts, offlineEvidence());
    }
    return print(report);
  }

  private VerificationReport inLedger(ReceiptLog log, byte[] envelope, List<VerifierKey> trusted) {
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
    VerificationReport report = new ReceiptVerifier(trusted).verify(envelope, artifacts, evidence);
    return evidence == null ? notInLedger(report) : report;
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
