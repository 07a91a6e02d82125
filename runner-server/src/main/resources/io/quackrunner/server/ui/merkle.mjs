// RFC 9162 §2.1 Merkle tree hashes and proof verification (inclusion §2.1.3.2, consistency
// §2.1.4.2). Indices and sizes are BigInt-safe: JavaScript's bit operators work on 32 bits.

import { concat, equal, sha256 } from './bytes.mjs';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

// Every hash in the tree is 32 bytes; anything else is a malformed proof, never a match.
const all32 = (hashes) => hashes.every((x) => x instanceof Uint8Array && x.length === 32);

/** Returns SHA-256(0x00 ‖ entry). */
export function leafHash(entry) {
  return sha256(concat(LEAF, entry));
}

function nodeHash(l, r) {
  return sha256(concat(NODE, l, r));
}

/**
 * Recomputes the root from a leaf hash and an inclusion path; returns null when the proof has the
 * wrong length for the index and size (RFC 9162 §2.1.3.2).
 */
export async function rootFromInclusion(index, size, leaf, path) {
  if (!all32([leaf, ...path])) return null;
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (BigInt(index) >= BigInt(size)) return null;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** Tells whether an inclusion proof takes {@code leaf} at {@code index} to {@code root}. */
export async function verifyInclusion(index, size, leaf, path, root) {
  const r = await rootFromInclusion(index, size, leaf, path);
  return r !== null && all32([root]) && equal(r, root);
}

/** Tells whether a consistency proof takes the tree of size m (root1) to size n (root2). */
export async function verifyConsistency(m, n, root1, root2, path) {
  if (!all32([root1, root2, ...path])) return false;
  m = BigInt(m);
  n = BigInt(n);
  if (m < 1n || m > n) return false;
  if (m === n) return path.length === 0 && equal(root1, root2);
  if (path.length === 0) return false;
  let p = path;
  if ((m & (m - 1n)) === 0n) p = [root1, ...path];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = p[0];
  let sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equal(fr, root1) && equal(sr, root2) && sn === 0n;
}
