package io.quackrunner.ledger;

/**
 * The hash of one complete subtree of the RFC 9162 tree, as stored in the node cache.
 *
 * @param level the subtree holds {@code 2^level} leaves; level 0 is a leaf hash
 * @param index the subtree covers leaves {@code [index * 2^level, (index + 1) * 2^level)}
 * @param hash the 32-byte hash
 */
public record TreeNode(int level, long index, byte[] hash) {}
