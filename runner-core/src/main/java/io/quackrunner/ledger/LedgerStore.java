package io.quackrunner.ledger;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Durable, append-only storage of ledger entries, complete-subtree hashes and checkpoints.
 *
 * <p>Implementations (SQLite embedded now, PostgreSQL shared later) must make each {@link #append}
 * one atomic, durable transaction and must refuse any update or delete of stored rows. They do no
 * hashing of their own; {@link Ledger} computes every hash.
 */
public interface LedgerStore extends AutoCloseable {
  /** Returns the number of stored entries. */
  long size();

  /**
   * Appends entries at indices {@code size() .. size() + entries.size() - 1} with their leaf hashes
   * and the complete-subtree nodes they finish, in one transaction that is durable on return.
   *
   * @throws io.quackrunner.errors.RunnerException RECEIPT_COMMIT_FAILED if the transaction fails;
   *     then nothing of it is stored
   */
  void append(long firstIndex, List<byte[]> entries, List<byte[]> leafHashes, List<TreeNode> nodes);

  /**
   * Appends entries at the store's end as it is when the write begins, in one transaction that
   * holds the store's write lock from reading the end to the commit, so that appenders in other
   * processes sharing the store are serialized and none of them builds on a stale end.
   *
   * <p>{@code plan} is called once, inside the transaction, with the committed size and a node
   * source reading within the same transaction; it returns the complete-subtree nodes that the
   * entries finish when appended at that size. The default, for stores used by one process only,
   * reads {@link #size()} and calls {@link #append}.
   *
   * @return the index of the first entry appended
   * @throws io.quackrunner.errors.RunnerException RECEIPT_COMMIT_FAILED if the transaction fails;
   *     then nothing of it is stored
   */
  default long appendAtEnd(List<byte[]> entries, List<byte[]> leafHashes, AppendPlan plan) {
    long first = size();
    append(first, entries, leafHashes, plan.nodes(first, nodes()));
    return first;
  }

  /** Computes, inside an append transaction, the nodes that the appended leaves finish. */
  @FunctionalInterface
  interface AppendPlan {
    /**
     * Returns the complete-subtree nodes that the leaves finish when appended to a tree of {@code
     * size} leaves whose stored nodes {@code committed} reads.
     */
    List<TreeNode> nodes(long size, NodeSource committed);
  }

  /** Returns the stored bytes of entry {@code index}, which must be below {@link #size()}. */
  byte[] entry(long index);

  /** Returns the stored node cache; asking for a node that is not stored is an error. */
  NodeSource nodes();

  /** Returns the lowest index whose stored leaf hash is {@code leafHash}, if any. */
  OptionalLong indexOfLeaf(byte[] leafHash);

  /** Stores a signed checkpoint's text durably. */
  void addCheckpoint(long size, String text);

  /** Returns the stored checkpoint texts in the order they were added. */
  List<String> checkpoints();

  /** Returns the last stored checkpoint text, if any. */
  default Optional<String> latestCheckpoint() {
    List<String> all = checkpoints();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Returns the stored value of a write-once setting, such as the log origin. */
  Optional<String> setting(String key);

  /**
   * Stores a write-once setting unless one is already stored, and returns the value now stored;
   * concurrent openers of one store all get the first writer's value.
   */
  String putSettingIfAbsent(String key, String value);

  /** Calls {@code visitor} for every stored entry in ascending index order, as stored. */
  void scanEntries(EntryVisitor visitor);

  /** Receives one stored entry row during {@link #scanEntries}. */
  @FunctionalInterface
  interface EntryVisitor {
    /** Returns false to stop the scan. */
    boolean visit(long index, byte[] leafHash, byte[] entry);
  }

  /** Releases the store's connections. */
  @Override
  void close();
}
