package io.quackrunner.receipts;

/** The independent checks {@link ReceiptVerifier} runs on a receipt, each reported by name. */
public enum ReceiptCheck {
  /** The DSSE signature verifies under a trusted key (active or retired) whose key id matches. */
  SIGNATURE,
  /** The payload is exactly its RFC 8785 canonical form and a well-formed receipt statement. */
  CANONICAL,
  /**
   * Each artifact file exists as a regular file (not a link) with the recorded size and SHA-256.
   */
  ARTIFACTS,
  /**
   * The envelope is a ledger entry, proven by an RFC 9162 inclusion proof to a signed checkpoint.
   */
  INCLUSION,
  /** An earlier signed checkpoint is a prefix of the current one (RFC 9162 consistency proof). */
  CONSISTENCY
}
