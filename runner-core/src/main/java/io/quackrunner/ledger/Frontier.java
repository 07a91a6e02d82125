package io.quackrunner.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of an RFC 9162 tree: the hashes of its maximal complete subtrees, largest first,
 * one per set bit of the size. Appending a leaf merges equal-sized subtrees and reports every
 * complete subtree it finishes, which is what the node cache stores.
 */
final class Frontier {
  private final List<byte[]> hashes;
  private final List<Integer> levels;
  private long size;

  private Frontier(long size, List<Integer> levels, List<byte[]> hashes) {
    this.size = size;
    this.levels = levels;
    this.hashes = hashes;
  }

  /** Loads the right edge of the tree of {@code size} leaves from stored nodes. */
  static Frontier load(long size, NodeSource nodes) {
    List<Integer> levels = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    long start = 0;
    for (int level = 62; level >= 0; level--) {
      long width = 1L << level;
      if ((size & width) != 0) {
        levels.add(level);
        hashes.add(nodes.node(level, start >> level));
        start += width;
      }
    }
    return new Frontier(size, levels, hashes);
  }

  Frontier copy() {
    return new Frontier(size, new ArrayList<>(levels), new ArrayList<>(hashes));
  }

  long size() {
    return size;
  }

  /** Adds a leaf and appends to {@code finished} each complete subtree it completes, leaf first. */
  void append(byte[] leafHash, List<TreeNode> finished) {
    long index = size;
    int level = 0;
    byte[] hash = leafHash;
    finished.add(new TreeNode(0, index, hash));
    while (!levels.isEmpty() && levels.get(levels.size() - 1) == level) {
      byte[] left = hashes.remove(hashes.size() - 1);
      levels.remove(levels.size() - 1);
      hash = MerkleProofs.nodeHash(left, hash);
      level++;
      index >>= 1;
      finished.add(new TreeNode(level, index, hash));
    }
    levels.add(level);
    hashes.add(hash);
    size++;
  }

  /** Returns the root hash of the tree so far (RFC 9162 §2.1.1). */
  byte[] root() {
    if (hashes.isEmpty()) {
      return MerkleProofs.emptyRoot();
    }
    byte[] root = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      root = MerkleProofs.nodeHash(hashes.get(i), root);
    }
    return root;
  }
}
