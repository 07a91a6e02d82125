package io.quackrunner.ledger;

import java.util.ArrayList;
import java.util.List;

/** An in-memory tree of complete-subtree hashes, built naively level by level, for tests. */
final class TestTree implements NodeSource {
  private final List<List<byte[]>> levels = new ArrayList<>();

  TestTree() {
    levels.add(new ArrayList<>());
  }

  static TestTree ofEntries(int size) {
    TestTree tree = new TestTree();
    for (int i = 0; i < size; i++) {
      tree.append(("entry " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return tree;
  }

  void append(byte[] entry) {
    levels.get(0).add(MerkleProofs.leafHash(entry));
    for (int level = 0; levels.get(level).size() % 2 == 0; level++) {
      List<byte[]> below = levels.get(level);
      if (levels.size() == level + 1) {
        levels.add(new ArrayList<>());
      }
      int n = below.size();
      levels.get(level + 1).add(MerkleProofs.nodeHash(below.get(n - 2), below.get(n - 1)));
    }
  }

  long size() {
    return levels.get(0).size();
  }

  byte[] leaf(long index) {
    return levels.get(0).get((int) index);
  }

  @Override
  public byte[] node(int level, long index) {
    return levels.get(level).get((int) index);
  }

  /** The root computed straight from the RFC 9162 §2.1.1 recursive definition, without caching. */
  byte[] naiveRoot(long size) {
    return size == 0 ? MerkleProofs.emptyRoot() : naive(0, size);
  }

  private byte[] naive(long start, long end) {
    if (end - start == 1) {
      return leaf(start);
    }
    long k = Long.highestOneBit(end - start - 1);
    return MerkleProofs.nodeHash(naive(start, start + k), naive(start + k, end));
  }
}
