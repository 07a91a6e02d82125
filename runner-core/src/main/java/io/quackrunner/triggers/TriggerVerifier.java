package io.quackrunner.triggers;

import io.quackrunner.ledger.MerkleProofs;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.DsseSignature;
import io.quackrunner.receipts.TriggerHashes;
import java.time.Instant;
import java.util.Base64;

/**
 * Decides whether a request's trigger lets it run, by its tenant's {@link TriggerPolicy}, before
 * anything is executed.
 *
 * <p>Checks, in order: a trigger is present when required; its DSSE v1.0.2 envelope has the trigger
 * payload type and a valid Ed25519 signature by a key the tenant trusts; that key may trigger the
 * tool; the payload binds this request (tool, version, verb, request hash); now lies within {@code
 * [issued_at − skew, not_after + skew]}; anchoring evidence is present when required, and when
 * present its C2SP checkpoint is signed by a trusted checkpoint key and its RFC 9162 §2.1.3
 * inclusion proof proves the leaf {@code SHA-256(0x00 ‖ payload)} in that checkpoint's tree.
 */
public final class TriggerVerifier {
  private TriggerVerifier() {}

  /**
   * What the trigger must bind.
   *
   * @param tool the requested tool
   * @param version the requested version
   * @param verb the requested verb
   * @param requestSha256 the hex SHA-256 of the request's RFC 8785 form without the trigger
   */
  public record Bound(String tool, String version, String verb, String requestSha256) {}

  /**
   * Verifies a request's trigger.
   *
   * @param trigger the trigger, or null when the request has none
   * @return the verified trigger, or null when there is none and none is required
   * @throws InvalidTrigger naming the first check that failed
   */
  public static VerifiedTrigger verify(
      TriggerPolicy.Rules rules, SignedTrigger trigger, Bound request, Instant now) {
    if (trigger == null) {
      if (rules.requireTrigger()) {
        throw new InvalidTrigger(
            InvalidTrigger.Reason.REQUIRED, "this tenant's policy requires a signed trigger");
      }
      return null;
    }
    var env = trigger.envelope();
    if (!TriggerPayload.PAYLOAD_TYPE.equals(env.payloadType())) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.MALFORMED,
          "payload type must be " + TriggerPayload.PAYLOAD_TYPE + ", not " + env.payloadType());
    }
    byte[] pae = Dsse.pae(env.payloadType(), env.payload());
    TriggerPolicy.TrustedKey signer = null;
    boolean knownKeyBadSig = false;
    for (DsseSignature s : env.signatures()) {
      for (TriggerPolicy.TrustedKey k : rules.triggerKeys()) {
        if (k.key().keyId().equals(s.keyid())) {
          if (k.key().verify(pae, s.sig())) {
            signer =
                signer == null || (!signer.allows(request.tool()) && k.allows(request.tool()))
                    ? k
                    : signer;
          } else {
            knownKeyBadSig = true;
          }
        }
      }
    }
    if (signer == null) {
      throw knownKeyBadSig
          ? new InvalidTrigger(
              InvalidTrigger.Reason.BAD_SIGNATURE,
              "the signature does not verify with the trusted key it names")
          : new InvalidTrigger(
              InvalidTrigger.Reason.UNTRUSTED_KEY, "not signed by a key this tenant trusts");
    }
    if (!signer.allows(request.tool())) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.TOOL_NOT_ALLOWED,
          "key " + signer.key().keyId() + " may not trigger tool " + request.tool());
    }
    TriggerPayload p = TriggerPayload.parse(env.payload());
    if (!p.tool().equals(request.tool())
        || !p.version().equals(request.version())
        || !p.verb().equals(request.verb())) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.NOT_BOUND,
          "the trigger is for "
              + p.tool()
              + "@"
              + p.version()
              + " "
              + p.verb()
              + ", the request for "
              + request.tool()
              + "@"
              + request.version()
              + " "
              + request.verb());
    }
    if (!p.requestSha256().equals(request.requestSha256())) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.NOT_BOUND,
          "the trigger binds request sha256:"
              + p.requestSha256()
              + ", not this request (sha256:"
              + request.requestSha256()
              + ")");
    }
    if (now.isBefore(p.issuedAt().minus(rules.clockSkew()))) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.NOT_VALID_NOW, "the trigger is not valid before " + p.issuedAt());
    }
    if (p.notAfter() != null && now.isAfter(p.notAfter().plus(rules.clockSkew()))) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.NOT_VALID_NOW, "the trigger expired at " + p.notAfter());
    }
    String linkHash = TriggerHashes.ofLink(env.payload()).substring(TriggerHashes.LINK.length());
    TriggerAnchor a = trigger.anchor();
    if (a == null) {
      if (rules.requireAnchoring()) {
        throw new InvalidTrigger(
            InvalidTrigger.Reason.ANCHOR_REQUIRED,
            "this tenant's policy requires the link to be anchored (checkpoint and inclusion proof)");
      }
      return new VerifiedTrigger(linkHash, p.linkId(), signer.key().keyId(), null, null, null);
    }
    if (a.checkpoint().signatures().stream()
        .noneMatch(sig -> rules.checkpointKeys().stream().anyMatch(sig::isBy))) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.UNTRUSTED_CHECKPOINT_KEY,
          "the checkpoint of "
              + a.checkpoint().origin()
              + " is signed by no trusted checkpoint key");
    }
    try {
      a.checkpoint().verify(rules.checkpointKeys());
    } catch (io.quackrunner.errors.RunnerException e) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.BAD_CHECKPOINT,
          "the checkpoint of " + a.checkpoint().origin() + ": " + e.getMessage());
    }
    if (a.proof().treeSize() != a.checkpoint().size()
        || !a.proof().verify(MerkleProofs.leafHash(env.payload()), a.checkpoint().rootHash())) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.BAD_INCLUSION_PROOF,
          "the inclusion proof does not prove the link in "
              + a.checkpoint().origin()
              + " at size "
              + a.checkpoint().size());
    }
    return new VerifiedTrigger(
        linkHash,
        p.linkId(),
        signer.key().keyId(),
        a.checkpoint().origin(),
        a.checkpoint().size(),
        Base64.getEncoder().encodeToString(a.checkpoint().rootHash()));
  }
}
