package io.quackrunner.triggers;

import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.InclusionProof;

/**
 * The evidence that a trigger link is anchored in the caller's log: a C2SP {@code tlog-checkpoint}
 * signed note and an RFC 9162 §2.1.3 inclusion proof of the link's leaf ({@code SHA-256(0x00 ‖
 * payload)}) in that checkpoint's tree.
 *
 * @param checkpoint the caller's signed checkpoint
 * @param proof the inclusion proof to the checkpoint's size
 */
public record TriggerAnchor(Checkpoint checkpoint, InclusionProof proof) {}
