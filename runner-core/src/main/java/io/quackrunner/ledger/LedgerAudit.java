package io.quackrunner.ledger;

import io.quackrunner.errors.RunnerException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Recomputes the whole tree from the stored entries and compares it with everything stored.
 *
 * <p>In index order it checks: no index missing or out of place; each entry's SHA-256(0x00 ‖ entry)
 * equals its stored leaf hash and its level-0 node; every complete subtree equals its cached node;
 * and each stored checkpoint is signed by a known key and matches the recomputed root at its size.
 * The first failure is reported with the entry index where one is known.
 */
final class LedgerAudit {
  private final LedgerStore store;
  private final String origin;
  private final Collection<? extends NoteVerifier> keys;

  LedgerAudit(LedgerStore store, String origin, Collection<? extends NoteVerifier> keys) {
    this.store = store;
    this.origin = origin;
    this.keys = keys;
  }

  LedgerVerification run() {
    List<Checkpoint> checkpoints = new ArrayList<>();
    for (String text : store.checkpoints()) {
      Checkpoint c;
      try {
        c = Checkpoint.parse(text);
        c.verify(keys);
      } catch (RunnerException e) {
        return LedgerVerification.failed(store.size(), -1, "stored checkpoint: " + e.getMessage());
      }
      if (!c.origin().equals(origin)) {
        return LedgerVerification.failed(
            store.size(), -1, "stored checkpoint has origin " + c.origin() + ", not " + origin);
      }
      checkpoints.add(c);
    }
    checkpoints.sort(Comparator.comparingLong(Checkpoint::size));
    NodeSource cache = store.nodes();
    Frontier tree = Frontier.load(0, cache);
    List<TreeNode> finished = new ArrayList<>();
    LedgerVerification[] result = {null};
    int[] nextCheckpoint = {0};
    result[0] = checkRoots(checkpoints, nextCheckpoint, tree, -1);
    store.scanEntries(
        (index, leafHash, entry) -> {
          if (result[0] != null) {
            return false;
          }
          long expected = tree.size();
          if (index != expected) {
            result[0] =
                LedgerVerification.failed(
                    index,
                    expected,
                    "entry " + expected + " is missing (next stored is " + index + ")");
            return false;
          }
          byte[] leaf = MerkleProofs.leafHash(entry);
          if (!MessageDigest.isEqual(leaf, leafHash)) {
            result[0] =
                LedgerVerification.failed(
                    index, index, "entry " + index + " does not match its stored leaf hash");
            return false;
          }
          finished.clear();
          tree.append(leaf, finished);
          for (TreeNode node : finished) {
            byte[] stored;
            try {
              stored = cache.node(node.level(), node.index());
            } catch (RunnerException e) {
              result[0] = LedgerVerification.failed(index, firstLeaf(node), e.getMessage());
              return false;
            }
            if (!MessageDigest.isEqual(stored, node.hash())) {
              String what =
                  node.level() == 0
                      ? "entry "
                          + index
                          + " differs from the tree's leaf "
                          + index
                          + " (altered, replaced or moved)"
                      : "subtree of entries ["
                          + firstLeaf(node)
                          + ", "
                          + (firstLeaf(node) + (1L << node.level()))
                          + ") differs from the stored tree";
              result[0] = LedgerVerification.failed(index, firstLeaf(node), what);
              return false;
            }
          }
          result[0] = checkRoots(checkpoints, nextCheckpoint, tree, index);
          return result[0] == null;
        });
    if (result[0] != null) {
      return result[0];
    }
    if (nextCheckpoint[0] < checkpoints.size()) {
      Checkpoint c = checkpoints.get(nextCheckpoint[0]);
      return LedgerVerification.failed(
          tree.size(),
          tree.size(),
          "a signed checkpoint covers "
              + c.size()
              + " entries but only "
              + tree.size()
              + " are stored: entries from "
              + tree.size()
              + " were dropped");
    }
    return LedgerVerification.passed(tree.size());
  }

  private static LedgerVerification checkRoots(
      List<Checkpoint> checkpoints, int[] next, Frontier tree, long lastIndex) {
    while (next[0] < checkpoints.size() && checkpoints.get(next[0]).size() == tree.size()) {
      Checkpoint c = checkpoints.get(next[0]);
      if (!MessageDigest.isEqual(c.rootHash(), tree.root())) {
        long from = next[0] == 0 ? 0 : checkpoints.get(next[0] - 1).size();
        return LedgerVerification.failed(
            tree.size(),
            from,
            "root of the first "
                + c.size()
                + " entries differs from the signed checkpoint:"
                + " an entry in ["
                + from
                + ", "
                + c.size()
                + ") was altered");
      }
      next[0]++;
    }
    return null;
  }

  private static long firstLeaf(TreeNode node) {
    return node.index() << node.level();
  }
}
