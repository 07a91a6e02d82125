package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.ConsistencyProof;
import io.quackrunner.ledger.InclusionProof;
import io.quackrunner.ledger.Ledger;
import java.util.Objects;

/**
 * What a verifier needs from the ledger, so it can check a receipt without the ledger itself.
 *
 * @param checkpoint a signed checkpoint whose tree holds the receipt
 * @param inclusion the RFC 9162 inclusion proof of the receipt's envelope in that tree
 * @param earlier an earlier signed checkpoint, or null
 * @param consistency the RFC 9162 consistency proof from {@code earlier} to {@code checkpoint}, or
 *     null when {@code earlier} is null
 */
public record LedgerEvidence(
    Checkpoint checkpoint,
    InclusionProof inclusion,
    Checkpoint earlier,
    ConsistencyProof consistency) {
  /** Checks that the consistency proof comes with its earlier checkpoint. */
  public LedgerEvidence {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(inclusion, "inclusion");
    if ((earlier == null) != (consistency == null)) {
      throw new IllegalArgumentException("an earlier checkpoint needs a consistency proof");
    }
  }

  /**
   * Gathers evidence for {@code envelope} from {@code ledger}: its latest checkpoint if that covers
   * the entry (else a new one), the inclusion proof, and a consistency proof from {@code
   * earlierCheckpointText} if given.
   *
   * @throws RunnerException NOT_FOUND if the envelope is not in the ledger; VERIFICATION_FAILED if
   *     the earlier checkpoint is malformed or larger than the current one
   */
  public static LedgerEvidence from(Ledger ledger, byte[] envelope, String earlierCheckpointText) {
    long index =
        ledger
            .indexOf(envelope)
            .orElseThrow(
                () -> new RunnerException(ErrorKind.NOT_FOUND, "receipt is not in the ledger"));
    Checkpoint checkpoint =
        ledger.latestCheckpoint().filter(c -> c.size() > index).orElseGet(ledger::checkpoint);
    InclusionProof inclusion = ledger.inclusionProof(index, checkpoint.size());
    if (earlierCheckpointText == null) {
      return new LedgerEvidence(checkpoint, inclusion, null, null);
    }
    Checkpoint earlier = Checkpoint.parse(earlierCheckpointText);
    if (earlier.size() > checkpoint.size()) {
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED,
          "earlier checkpoint has " + earlier.size() + " entries, more than " + checkpoint.size());
    }
    return new LedgerEvidence(
        checkpoint, inclusion, earlier, ledger.consistencyProof(earlier.size(), checkpoint.size()));
  }
}
