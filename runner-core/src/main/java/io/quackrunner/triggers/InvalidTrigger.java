package io.quackrunner.triggers;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/**
 * A trigger refused before execution (UBL {@code InvalidTrigger}): kind {@link
 * ErrorKind#INVALID_TRIGGER}, with the reason it was refused.
 */
public final class InvalidTrigger extends RunnerException {
  private static final long serialVersionUID = 1L;

  /** Why a trigger was refused; the slug is stable (problem {@code reason} member). */
  public enum Reason {
    /** The trigger or its payload is malformed. */
    MALFORMED("malformed"),
    /** The tenant's policy requires a trigger and the request has none. */
    REQUIRED("required"),
    /** A signature by a key the tenant trusts does not verify. */
    BAD_SIGNATURE("bad-signature"),
    /** No signature is by a key the tenant trusts (an unknown or untrusted key). */
    UNTRUSTED_KEY("untrusted-key"),
    /** The signing key is trusted, but not for this tool. */
    TOOL_NOT_ALLOWED("tool-not-allowed"),
    /** The payload does not bind this request (tool, version, verb or request hash differ). */
    NOT_BOUND("not-bound"),
    /** Now is before {@code issued_at} or after {@code not_after}, beyond the clock skew. */
    NOT_VALID_NOW("not-valid-now"),
    /** The policy requires anchoring evidence and the trigger has none. */
    ANCHOR_REQUIRED("anchor-required"),
    /** The checkpoint is malformed, or a trusted key's signature on it does not verify. */
    BAD_CHECKPOINT("bad-checkpoint"),
    /** No signature on the checkpoint is by a checkpoint key the tenant trusts. */
    UNTRUSTED_CHECKPOINT_KEY("untrusted-checkpoint-key"),
    /** The inclusion proof does not prove the link in the checkpoint's tree. */
    BAD_INCLUSION_PROOF("bad-inclusion-proof");

    private final String slug;

    Reason(String slug) {
      this.slug = slug;
    }

    /** Returns the stable lower-case name. */
    public String slug() {
      return slug;
    }
  }

  private final Reason reason;
  private final String rejectedRun;

  /** Creates the refusal. */
  public InvalidTrigger(Reason reason, String message) {
    this(reason, "invalid trigger (" + reason.slug() + "): " + message, null);
  }

  private InvalidTrigger(Reason reason, String fullMessage, String rejectedRun) {
    super(ErrorKind.INVALID_TRIGGER, fullMessage);
    this.reason = reason;
    this.rejectedRun = rejectedRun;
  }

  /** Returns this refusal naming the REJECTED run recorded for it. */
  public InvalidTrigger withRun(String runId) {
    return new InvalidTrigger(reason, getMessage(), runId);
  }

  /** Returns the id of the REJECTED run recorded for this refusal, or null. */
  public String rejectedRun() {
    return rejectedRun;
  }

  /** Returns why the trigger was refused. */
  public Reason reason() {
    return reason;
  }
}
