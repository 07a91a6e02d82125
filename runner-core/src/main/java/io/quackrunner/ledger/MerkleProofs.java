package io.quackrunner.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure functions for the RFC 9162 Merkle tree: hashes, inclusion and consistency proofs.
 *
 * <p>Leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right), the root of the
 * empty tree = SHA-256() (RFC 9162 §2.1.1). Proof generation reads complete-subtree hashes from a
 * {@link NodeSource}, so a store that caches them answers in O(log² n) lookups. Verification
 * functions never throw on bad input; they return {@code false}.
 */
public final class MerkleProofs {
  /** The length in bytes of every hash in the tree (SHA-256). */
  public static final int HASH_SIZE = 32;

  private MerkleProofs() {}

  /** Returns SHA-256(0x00 ‖ entry), the RFC 9162 §2.1.1 leaf hash of {@code entry}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest sha = sha256();
    sha.update((byte) 0x00);
    return sha.digest(entry);
  }

  /** Returns SHA-256(0x01 ‖ left ‖ right), the RFC 9162 §2.1.1 interior node hash. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest sha = sha256();
    sha.update((byte) 0x01);
    sha.update(left);
    return sha.digest(right);
  }

  /** Returns SHA-256 of the empty string, the root hash of the empty tree (RFC 9162 §2.1.1). */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /**
   * Returns the root hash MTH(D[0:size]) of a tree of {@code size} leaves (RFC 9162 §2.1.1).
   *
   * @throws IllegalArgumentException if {@code size} is negative
   */
  public static byte[] rootHash(long size, NodeSource nodes) {
    if (size < 0) {
      throw new IllegalArgumentException("negative tree size " + size);
    }
    return size == 0 ? emptyRoot() : rangeHash(0, size, nodes);
  }

  /**
   * Returns the inclusion proof PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf-side first.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size}
   */
  public static List<byte[]> inclusionProof(long index, long size, NodeSource nodes) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("index " + index + " outside tree of size " + size);
    }
    List<byte[]> proof = new ArrayList<>();
    path(index, 0, size, nodes, proof);
    return proof;
  }

  private static void path(long m, long start, long end, NodeSource nodes, List<byte[]> out) {
    long n = end - start;
    if (n <= 1) {
      return;
    }
    long k = splitPoint(n);
    if (m < k) {
      path(m, start, start + k, nodes, out);
      out.add(rangeHash(start + k, end, nodes));
    } else {
      path(m - k, start + k, end, nodes, out);
      out.add(rangeHash(start, start + k, nodes));
    }
  }

  /**
   * Returns the consistency proof PROOF(from, D[0:to]) of RFC 9162 §2.1.4.1.
   *
   * <p>The proof is empty when {@code from == 0} or {@code from == to}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to}
   */
  public static List<byte[]> consistencyProof(long from, long to, NodeSource nodes) {
    if (from < 0 || from > to) {
      throw new IllegalArgumentException("no consistency proof from size " + from + " to " + to);
    }
    List<byte[]> proof = new ArrayList<>();
    if (from > 0) {
      subproof(from, 0, to, true, nodes, proof);
    }
    return proof;
  }

  private static void subproof(
      long m, long start, long end, boolean whole, NodeSource nodes, List<byte[]> out) {
    long n = end - start;
    if (m == n) {
      if (!whole) {
        out.add(rangeHash(start, end, nodes));
      }
      return;
    }
    long k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, whole, nodes, out);
      out.add(rangeHash(start + k, end, nodes));
    } else {
      subproof(m - k, start + k, end, false, nodes, out);
      out.add(rangeHash(start, start + k, nodes));
    }
  }

  /**
   * Returns whether {@code proof} proves leaf {@code leafHash} at {@code index} in the tree of
   * {@code size} leaves with root {@code root} (RFC 9162 §2.1.3.2).
   *
   * <p>Every hash must be exactly 32 bytes; any malformed input yields {@code false}.
   */
  public static boolean verifyInclusion(
      byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
    if (!isHash(leafHash) || !isHash(root) || proof == null || index < 0 || index >= size) {
      return false;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (!isHash(p) || sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /**
   * Returns whether {@code proof} proves that the tree of {@code from} leaves with root {@code
   * fromRoot} is a prefix of the tree of {@code to} leaves with root {@code toRoot} (RFC 9162
   * §2.1.4.2).
   *
   * <p>When {@code from == to} the proof must be empty and the roots equal; when {@code from == 0}
   * the proof must be empty. Any malformed input yields {@code false}.
   */
  public static boolean verifyConsistency(
      long from, long to, List<byte[]> proof, byte[] fromRoot, byte[] toRoot) {
    if (proof == null || !isHash(fromRoot) || !isHash(toRoot) || from < 0 || to < from) {
      return false;
    }
    if (from == to) {
      return proof.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
    }
    if (from == 0) {
      return proof.isEmpty();
    }
    if (proof.isEmpty()) {
      return false;
    }
    for (byte[] p : proof) {
      if (!isHash(p)) {
        return false;
      }
    }
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(from) == 1) {
      path.add(fromRoot);
    }
    path.addAll(proof);
    long fn = from - 1;
    long sn = to - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot) && sn == 0;
  }

  /**
   * Returns MTH(D[start:end]) for a range whose start is aligned to the largest power of two below
   * its length, as every range in RFC 9162 proofs is; complete ranges are one lookup.
   */
  static byte[] rangeHash(long start, long end, NodeSource nodes) {
    long n = end - start;
    if (Long.bitCount(n) == 1 && start % n == 0) {
      return nodes.node(Long.numberOfTrailingZeros(n), start / n);
    }
    long k = splitPoint(n);
    return nodeHash(
        nodes.node(Long.numberOfTrailingZeros(k), start / k), rangeHash(start + k, end, nodes));
  }

  /** Returns the largest power of two strictly less than {@code n} (n ≥ 2). */
  static long splitPoint(long n) {
    return Long.highestOneBit(n - 1);
  }

  private static boolean isHash(byte[] h) {
    return h != null && h.length == HASH_SIZE;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}
