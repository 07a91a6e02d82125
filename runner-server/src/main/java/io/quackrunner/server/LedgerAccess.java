package io.quackrunner.server;

/**
 * The ledger as the HTTP API exposes it: the latest signed checkpoint and RFC 9162 proofs.
 *
 * <p>Implemented over the core ledger; a server without one answers 503 on the ledger endpoints.
 */
public interface LedgerAccess {
  /** Returns the latest checkpoint in the C2SP tlog-checkpoint signed-note format. */
  String checkpoint();

  /**
   * Returns an inclusion proof (RFC 9162 §2.1.3) as a JSON-ready map.
   *
   * @throws io.quackrunner.errors.RunnerException of kind USAGE when {@code index >= size} or
   *     {@code size} exceeds the tree size
   */
  Object inclusion(long index, long size);

  /**
   * Returns a consistency proof (RFC 9162 §2.1.4) as a JSON-ready map.
   *
   * @throws io.quackrunner.errors.RunnerException of kind USAGE when {@code from > to} or {@code
   *     to} exceeds the tree size
   */
  Object consistency(long from, long to);
}
