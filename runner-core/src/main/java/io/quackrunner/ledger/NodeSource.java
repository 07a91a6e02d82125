package io.quackrunner.ledger;

/**
 * Supplies the hash of a complete, aligned subtree of an RFC 9162 Merkle tree.
 *
 * <p>{@code node(level, index)} is the 32-byte hash of the perfect subtree of {@code 2^level}
 * leaves covering leaf indices {@code [index * 2^level, (index + 1) * 2^level)}; level 0 is the
 * leaf hash itself (RFC 9162 §2.1.1). Callers only ask for subtrees that are complete in the tree
 * they are proving about.
 */
@FunctionalInterface
public interface NodeSource {
  /** Returns the 32-byte hash of the complete subtree at {@code level} and {@code index}. */
  byte[] node(int level, long index);
}
