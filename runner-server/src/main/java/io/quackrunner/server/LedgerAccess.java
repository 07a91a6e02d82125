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
   * @throws io.quackrunner.errors.RunnerException of kind SCHEMA_VIOLATION when {@code index >=
   *     size} or {@code size} exceeds the tree size
   */
  Object inclusion(long index, long size);

  /**
   * Returns a consistency proof (RFC 9162 §2.1.4) as a JSON-ready map.
   *
   * @throws io.quackrunner.errors.RunnerException of kind SCHEMA_VIOLATION when {@code from > to}
   *     or {@code to} exceeds the tree size
   */
  Object consistency(long from, long to);

  /**
   * Returns every receipt and checkpoint signing key, the local ring's active one first, then its
   * retired ones, then the other keys of the database's {@code node_keys}, each as a JSON-ready map
   * ({@link io.quackrunner.service.KeyListing.Entry#toJson()}): {@code key_id}, {@code
   * verifier_key} (C2SP signed-note form), {@code status} ({@code active}, {@code retired} or
   * {@code listed}), {@code retired_at} (RFC 3339, or null), {@code algorithm}, {@code public_key}
   * (base64), {@code node_id}, {@code first_seen} and {@code node_state} (null when unregistered).
   */
  java.util.List<java.util.Map<String, Object>> keys();
}
