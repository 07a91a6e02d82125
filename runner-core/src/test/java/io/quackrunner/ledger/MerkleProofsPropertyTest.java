package io.quackrunner.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random trees of 1..2000 leaves: every generated proof verifies, and one flipped bit, a wrong
 * index or a wrong size makes it fail (RFC 9162 §2.1.3–§2.1.4).
 */
class MerkleProofsPropertyTest {
  private static final long SEED = 0x5EED_9162L;
  private static final int MAX_SIZE = 2000;
  private static final TestTree TREE = TestTree.ofEntries(MAX_SIZE);

  @Test
  void rootMatchesTheRecursiveDefinition() {
    for (long size = 0; size <= 70; size++) {
      assertThat(MerkleProofs.rootHash(size, TREE)).isEqualTo(TREE.naiveRoot(size));
    }
    assertThat(MerkleProofs.rootHash(MAX_SIZE, TREE)).isEqualTo(TREE.naiveRoot(MAX_SIZE));
  }

  @Test
  void inclusionProofsVerifyAndMutationsFail() {
    Random random = new Random(SEED);
    int wrongSizes = 0;
    int sameShapes = 0;
    for (int round = 0; round < 300; round++) {
      long size = 1 + random.nextInt(MAX_SIZE);
      long index = random.nextInt((int) size);
      String at = "seed=" + SEED + " round=" + round + " size=" + size + " index=" + index;
      byte[] root = MerkleProofs.rootHash(size, TREE);
      byte[] leaf = TREE.leaf(index);
      List<byte[]> proof = MerkleProofs.inclusionProof(index, size, TREE);
      assertThat(MerkleProofs.verifyInclusion(leaf, index, size, proof, root)).as(at).isTrue();

      assertThat(MerkleProofs.verifyInclusion(leaf, index, size, flip(proof, random), root))
          .as("flipped proof bit " + at)
          .isEqualTo(proof.isEmpty());
      assertThat(MerkleProofs.verifyInclusion(flip(leaf, random), index, size, proof, root))
          .as("flipped leaf bit " + at)
          .isFalse();
      assertThat(MerkleProofs.verifyInclusion(leaf, index, size, proof, flip(root, random)))
          .as("flipped root bit " + at)
          .isFalse();
      long otherIndex = (index + 1 + random.nextInt((int) size)) % size;
      if (otherIndex != index) {
        assertThat(MerkleProofs.verifyInclusion(leaf, otherIndex, size, proof, root))
            .as("wrong index " + otherIndex + " " + at)
            .isFalse();
      }
      long otherSize = size + 1 + random.nextInt(MAX_SIZE);
      // The proof binds the size only through its shape (RFC 9162 §2.1.3.2); the signed
      // checkpoint binds size to root. So a wrong size fails exactly when the shape differs.
      boolean sameShape =
          inclusionShape(index, 0, otherSize).equals(inclusionShape(index, 0, size));
      wrongSizes++;
      sameShapes += sameShape ? 1 : 0;
      assertThat(MerkleProofs.verifyInclusion(leaf, index, otherSize, proof, root))
          .as("wrong size " + otherSize + " " + at)
          .isEqualTo(sameShape);
    }
    assertThat(sameShapes).as("most wrong sizes change the shape").isLessThan(wrongSizes / 4);
  }

  @Test
  void everyInclusionProofOfSmallTreesVerifies() {
    for (long size = 1; size <= 130; size++) {
      byte[] root = MerkleProofs.rootHash(size, TREE);
      for (long i = 0; i < size; i++) {
        List<byte[]> proof = MerkleProofs.inclusionProof(i, size, TREE);
        assertThat(MerkleProofs.verifyInclusion(TREE.leaf(i), i, size, proof, root))
            .as("size=" + size + " index=" + i)
            .isTrue();
      }
    }
  }

  @Test
  void consistencyProofsVerifyAndMutationsFail() {
    Random random = new Random(SEED + 1);
    for (int round = 0; round < 400; round++) {
      long to = 1 + random.nextInt(MAX_SIZE);
      long from = 1 + random.nextInt((int) to);
      String at = "seed=" + (SEED + 1) + " round=" + round + " from=" + from + " to=" + to;
      byte[] fromRoot = MerkleProofs.rootHash(from, TREE);
      byte[] toRoot = MerkleProofs.rootHash(to, TREE);
      List<byte[]> proof = MerkleProofs.consistencyProof(from, to, TREE);
      assertThat(MerkleProofs.verifyConsistency(from, to, proof, fromRoot, toRoot)).as(at).isTrue();
      if (from == to) {
        assertThat(proof).as(at).isEmpty();
        continue;
      }
      assertThat(MerkleProofs.verifyConsistency(from, to, flip(proof, random), fromRoot, toRoot))
          .as("flipped proof bit " + at)
          .isFalse();
      assertThat(MerkleProofs.verifyConsistency(from, to, proof, flip(fromRoot, random), toRoot))
          .as("flipped old root " + at)
          .isFalse();
      assertThat(MerkleProofs.verifyConsistency(from, to, proof, fromRoot, flip(toRoot, random)))
          .as("flipped new root " + at)
          .isFalse();
      long otherTo = to + 1 + random.nextInt(MAX_SIZE);
      boolean sameShape = consistencyShape(from, otherTo).equals(consistencyShape(from, to));
      assertThat(MerkleProofs.verifyConsistency(from, otherTo, proof, fromRoot, toRoot))
          .as("wrong new size " + otherTo + " " + at)
          .isEqualTo(sameShape);
      if (from > 1) {
        long otherFrom = from - 1;
        assertThat(MerkleProofs.verifyConsistency(otherFrom, to, proof, fromRoot, toRoot))
            .as("wrong old size " + otherFrom + " " + at)
            .isFalse();
      }
      assertThat(
              MerkleProofs.verifyConsistency(
                  from, to, proof.subList(0, proof.size() - 1), fromRoot, toRoot))
          .as("truncated proof " + at)
          .isFalse();
    }
  }

  @Test
  void everyConsistencyProofOfSmallTreesVerifies() {
    for (long to = 1; to <= 70; to++) {
      for (long from = 0; from <= to; from++) {
        List<byte[]> proof = MerkleProofs.consistencyProof(from, to, TREE);
        assertThat(
                MerkleProofs.verifyConsistency(
                    from,
                    to,
                    proof,
                    MerkleProofs.rootHash(from, TREE),
                    MerkleProofs.rootHash(to, TREE)))
            .as("from=" + from + " to=" + to)
            .isTrue();
      }
    }
  }

  @Test
  void rejectsMalformedHashesAndEmptyTrees() {
    byte[] root = MerkleProofs.rootHash(1, TREE);
    assertThat(MerkleProofs.verifyInclusion(TREE.leaf(0), 0, 0, List.of(), root)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(new byte[31], 0, 1, List.of(), root)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(0, 1, List.of(root), root, root)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(1, 0, List.of(), root, root)).isFalse();
  }

  /** The sibling sides of PATH(m, D[start:end]) from the generator's recursion (§2.1.3.1). */
  private static String inclusionShape(long m, long start, long end) {
    long n = end - start;
    if (n <= 1) {
      return "";
    }
    long k = Long.highestOneBit(n - 1);
    return m < k
        ? inclusionShape(m, start, start + k) + "R"
        : inclusionShape(m - k, start + k, end) + "L";
  }

  /** The decisions of SUBPROOF(m, D[n], true) from the generator's recursion (§2.1.4.1). */
  private static String consistencyShape(long m, long n) {
    StringBuilder shape = new StringBuilder();
    boolean whole = true;
    while (m != n) {
      long k = Long.highestOneBit(n - 1);
      if (m <= k) {
        shape.append('R');
        n = k;
      } else {
        shape.append('L');
        m -= k;
        n -= k;
        whole = false;
      }
    }
    return shape.append(whole ? "=" : "+").toString();
  }

  private static List<byte[]> flip(List<byte[]> proof, Random random) {
    List<byte[]> copy = new ArrayList<>(proof);
    if (!copy.isEmpty()) {
      int i = random.nextInt(copy.size());
      copy.set(i, flip(copy.get(i), random));
    }
    return copy;
  }

  private static byte[] flip(byte[] hash, Random random) {
    byte[] copy = hash.clone();
    int bit = random.nextInt(copy.length * 8);
    copy[bit / 8] ^= (byte) (1 << (bit % 8));
    return copy;
  }
}
