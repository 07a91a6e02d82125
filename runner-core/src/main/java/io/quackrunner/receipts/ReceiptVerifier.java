package io.quackrunner.receipts;

import static io.quackrunner.receipts.CheckResult.fail;
import static io.quackrunner.receipts.CheckResult.pass;
import static io.quackrunner.receipts.CheckResult.skipped;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.MerkleProofs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Checks a signed receipt with nothing but the envelope bytes, trusted public keys and, optionally,
 * the artifact files and ledger evidence; it needs no state directory.
 *
 * <p>Each {@link ReceiptCheck} is reported separately. SIGNATURE: DSSE v1.0.2 over PAE, Ed25519,
 * exactly 64-byte signatures, key id {@code name+hex(keyhash)} must name the verifying key.
 * CANONICAL: RFC 8785. ARTIFACTS: SHA-256 of each file, no links followed. INCLUSION and
 * CONSISTENCY: RFC 9162 §2.1.3 and §2.1.4 proofs against C2SP signed checkpoints. The leaf is
 * SHA-256(0x00 ‖ envelope bytes), so the envelope must be passed exactly as stored.
 */
public final class ReceiptVerifier {
  private final List<VerifierKey> keys;

  /** Creates a verifier trusting {@code keys} for receipts and checkpoints. */
  public ReceiptVerifier(Collection<VerifierKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /** Creates a verifier trusting a key ring's active and retired keys. */
  public static ReceiptVerifier of(KeyRing ring) {
    return new ReceiptVerifier(ring.verifierKeys());
  }

  /**
   * Runs every check on {@code envelope}.
   *
   * @param envelope the DSSE envelope bytes exactly as signed and stored
   * @param artifactsDir the directory holding the artifacts ({@code out/}), or null to skip
   *     ARTIFACTS
   * @param ledger ledger evidence, or null to skip INCLUSION and CONSISTENCY
   * @return one result per check; never throws for a bad receipt
   */
  public VerificationReport verify(byte[] envelope, Path artifactsDir, LedgerEvidence ledger) {
    List<CheckResult> results = new ArrayList<>();
    DsseEnvelope env;
    try {
      env = Dsse.parse(envelope);
    } catch (RunnerException e) {
      results.add(fail(ReceiptCheck.SIGNATURE, e.getMessage()));
      for (ReceiptCheck c :
          Arrays.copyOfRange(ReceiptCheck.values(), 1, ReceiptCheck.values().length)) {
        results.add(skipped(c, "the envelope is unreadable"));
      }
      return new VerificationReport(results, Optional.empty());
    }
    results.add(signature(env));
    Optional<ReceiptStatement> statement = Optional.empty();
    try {
      byte[] payload = env.payload();
      if (!Arrays.equals(payload, Jcs.canonicalize(payload))) {
        results.add(fail(ReceiptCheck.CANONICAL, "payload is not RFC 8785 canonical JSON"));
      } else {
        statement = Optional.of(ReceiptStatement.parse(payload));
        results.add(pass(ReceiptCheck.CANONICAL, "payload is canonical and a receipt statement"));
      }
    } catch (RunnerException e) {
      results.add(fail(ReceiptCheck.CANONICAL, e.getMessage()));
    }
    results.add(artifacts(statement, artifactsDir));
    results.add(inclusion(envelope, ledger));
    results.add(consistency(ledger));
    return new VerificationReport(results, statement);
  }

  private CheckResult signature(DsseEnvelope env) {
    if (!ReceiptStatement.PAYLOAD_TYPE.equals(env.payloadType())) {
      return fail(ReceiptCheck.SIGNATURE, "payloadType is " + env.payloadType());
    }
    byte[] pae = Dsse.pae(env.payloadType(), env.payload());
    List<String> problems = new ArrayList<>();
    for (DsseSignature s : env.signatures()) {
      List<VerifierKey> named = keys.stream().filter(k -> k.keyId().equals(s.keyid())).toList();
      if (named.isEmpty()) {
        problems.add("no trusted key has keyid " + s.keyid());
      } else if (named.stream().anyMatch(k -> k.verify(pae, s.sig()))) {
        return pass(ReceiptCheck.SIGNATURE, "signed by " + s.keyid());
      } else {
        problems.add("signature by " + s.keyid() + " does not verify");
      }
    }
    return fail(ReceiptCheck.SIGNATURE, String.join("; ", problems));
  }

  private static CheckResult artifacts(Optional<ReceiptStatement> statement, Path dir) {
    if (dir == null) {
      return skipped(ReceiptCheck.ARTIFACTS, "no artifacts directory given");
    }
    if (statement.isEmpty()) {
      return skipped(ReceiptCheck.ARTIFACTS, "the receipt statement is unreadable");
    }
    List<ReceiptPredicate.Artifact> artifacts = statement.get().predicate().artifacts();
    List<String> problems = new ArrayList<>();
    for (ReceiptPredicate.Artifact a : artifacts) {
      String problem = ArtifactCheck.check(dir, a);
      if (problem != null) {
        problems.add(problem);
      }
    }
    return problems.isEmpty()
        ? pass(ReceiptCheck.ARTIFACTS, artifacts.size() + " artifact(s) match")
        : fail(ReceiptCheck.ARTIFACTS, String.join("; ", problems));
  }

  private CheckResult inclusion(byte[] envelope, LedgerEvidence ledger) {
    if (ledger == null) {
      return skipped(ReceiptCheck.INCLUSION, "no ledger evidence given");
    }
    Checkpoint c = ledger.checkpoint();
    try {
      c.verify(keys);
    } catch (RunnerException e) {
      return fail(ReceiptCheck.INCLUSION, "checkpoint: " + e.getMessage());
    }
    if (ledger.inclusion().treeSize() != c.size()) {
      return fail(
          ReceiptCheck.INCLUSION,
          "proof is to size " + ledger.inclusion().treeSize() + ", checkpoint has " + c.size());
    }
    if (!ledger.inclusion().verify(MerkleProofs.leafHash(envelope), c.rootHash())) {
      return fail(
          ReceiptCheck.INCLUSION,
          "envelope is not entry " + ledger.inclusion().leafIndex() + " of the checkpointed tree");
    }
    return pass(
        ReceiptCheck.INCLUSION,
        "entry " + ledger.inclusion().leafIndex() + " of " + c.origin() + " at size " + c.size());
  }

  private CheckResult consistency(LedgerEvidence ledger) {
    if (ledger == null || ledger.earlier() == null) {
      return skipped(ReceiptCheck.CONSISTENCY, "no earlier checkpoint given");
    }
    Checkpoint earlier = ledger.earlier();
    Checkpoint current = ledger.checkpoint();
    try {
      earlier.verify(keys);
      current.verify(keys);
    } catch (RunnerException e) {
      return fail(ReceiptCheck.CONSISTENCY, "checkpoint: " + e.getMessage());
    }
    if (!earlier.origin().equals(current.origin())) {
      return fail(ReceiptCheck.CONSISTENCY, "checkpoints are of different logs");
    }
    var proof = ledger.consistency();
    if (proof.fromSize() != earlier.size() || proof.toSize() != current.size()) {
      return fail(ReceiptCheck.CONSISTENCY, "proof sizes do not match the checkpoints");
    }
    if (!proof.verify(earlier.rootHash(), current.rootHash())) {
      return fail(
          ReceiptCheck.CONSISTENCY,
          "the tree at size "
              + earlier.size()
              + " is not a prefix of the tree at "
              + current.size());
    }
    return pass(
        ReceiptCheck.CONSISTENCY,
        "size " + earlier.size() + " is a prefix of size " + current.size());
  }
}
