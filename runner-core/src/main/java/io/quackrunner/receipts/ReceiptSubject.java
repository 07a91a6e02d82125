package io.quackrunner.receipts;

/**
 * One in-toto Statement v1 subject: a name and its SHA-256 digest, JSON {@code {"name": ...,
 * "digest": {"sha256": hex}}}.
 *
 * @param name the artifact path relative to {@code out/}, or {@code stdout} when a run left no
 *     artifacts (in-toto requires at least one subject)
 * @param sha256 64 lower-case hex digits
 */
public record ReceiptSubject(String name, String sha256) {
  /** Checks the fields. */
  public ReceiptSubject {
    ReceiptChecks.text(name, "subject name");
    ReceiptChecks.that(ReceiptChecks.isSha256Hex(sha256), "subject sha256 must be 64 hex");
  }
}
