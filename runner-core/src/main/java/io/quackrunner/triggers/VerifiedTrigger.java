package io.quackrunner.triggers;

/**
 * A trigger that passed its tenant's policy: what the receipt records of it.
 *
 * @param linkHash {@code sha256:<hex>} of the trigger payload (the link)
 * @param linkId the caller's link id
 * @param signerKeyId the C2SP key name+hash of the key whose signature verified
 * @param checkpointOrigin the anchoring checkpoint's origin, or null when not anchored
 * @param checkpointSize the anchoring checkpoint's tree size, or null
 * @param checkpointRootHash the anchoring checkpoint's root hash, standard base64, or null
 */
public record VerifiedTrigger(
    String linkHash,
    String linkId,
    String signerKeyId,
    String checkpointOrigin,
    Long checkpointSize,
    String checkpointRootHash) {}
