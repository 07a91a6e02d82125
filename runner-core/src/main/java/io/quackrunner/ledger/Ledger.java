package io.quackrunner.ledger;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;

/**
 * The append-only RFC 9162 Merkle log of receipts, with signed C2SP checkpoints and proofs.
 *
 * <p>Entries are opaque bytes (a receipt's DSSE envelope); entry {@code i}'s leaf hash is
 * SHA-256(0x00 ‖ entry). Concurrent {@link #append} calls are batched into one durable store
 * transaction (group commit). Proofs read complete-subtree hashes from the store's node cache, so
 * they cost O(log² n) lookups at any size. Thread-safe, and safe for several processes sharing one
 * store: each append reads the end inside the store's write transaction.
 */
public final class Ledger implements AutoCloseable {
  /** The store setting holding the log's origin, written once by the first opener. */
  public static final String ORIGIN_SETTING = "origin";

  private final LedgerStore store;
  private final String origin;
  private final NoteSigner signer;
  private final GroupCommitter committer;

  private Ledger(LedgerStore store, String origin, NoteSigner signer) {
    this.store = store;
    this.origin = origin;
    this.signer = signer;
    this.committer = new GroupCommitter(store, Frontier.load(store.size(), store.nodes()));
  }

  /**
   * Opens the ledger in {@code store} under {@code origin}, signing checkpoints with {@code
   * signer}.
   *
   * @throws RunnerException CONFIGURATION if the store was created under another origin
   */
  public static Ledger open(LedgerStore store, String origin, NoteSigner signer) {
    SignedNote.require(
        origin != null && !origin.isBlank() && !origin.contains("\n"), "bad origin " + origin);
    String stored = store.putSettingIfAbsent(ORIGIN_SETTING, origin);
    if (!stored.equals(origin)) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "ledger origin is " + stored + ", not " + origin);
    }
    return new Ledger(store, origin, signer);
  }

  /** Returns the log's origin, the first line of its checkpoints. */
  public String origin() {
    return origin;
  }

  /**
   * Appends {@code entry} and returns its index once the batch holding it is durable.
   *
   * @throws RunnerException RECEIPT_COMMIT_FAILED if the batch could not be committed
   */
  public long append(byte[] entry) {
    return appendAll(List.of(entry));
  }

  /**
   * Appends {@code entries} at consecutive indices in one transaction and returns the first index
   * once they are durable.
   *
   * @throws RunnerException RECEIPT_COMMIT_FAILED if the batch could not be committed
   */
  public long appendAll(List<byte[]> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("nothing to append");
    }
    try {
      return committer.submit(entries).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof io.quackrunner.store.NodeFenced f) {
        throw new io.quackrunner.store.NodeFenced(f.lease(), "ledger append");
      }
      if (e.getCause() instanceof RunnerException re) {
        throw new RunnerException(re.kind(), re.getMessage(), re);
      }
      throw new RunnerException(ErrorKind.RECEIPT_COMMIT_FAILED, "ledger append failed", e);
    }
  }

  /** Returns the number of durable entries, appended by this process or any other. */
  public long size() {
    return Math.max(committer.committed().size(), store.size());
  }

  /** Returns entry {@code index} as stored. */
  public byte[] entry(long index) {
    return store.entry(index);
  }

  /** Returns the lowest index of an entry equal to {@code entry}, if it was appended. */
  public OptionalLong indexOf(byte[] entry) {
    return store.indexOfLeaf(MerkleProofs.leafHash(entry));
  }

  /** Returns the RFC 9162 root hash of the first {@code size} entries. */
  public byte[] rootHash(long size) {
    requireSize(size);
    return MerkleProofs.rootHash(size, store.nodes());
  }

  /**
   * Signs and stores a checkpoint of the current tree (C2SP tlog-checkpoint) and returns it.
   *
   * @throws RunnerException RECEIPT_COMMIT_FAILED if it cannot be stored
   */
  public Checkpoint checkpoint() {
    Frontier tree = committer.committed();
    long size = size();
    byte[] root = tree.size() == size ? tree.root() : MerkleProofs.rootHash(size, store.nodes());
    Checkpoint c = Checkpoint.sign(origin, size, root, signer);
    store.addCheckpoint(c.size(), c.text());
    return c;
  }

  /** Returns the last checkpoint this ledger stored, if any. */
  public Optional<Checkpoint> latestCheckpoint() {
    return store.latestCheckpoint().map(Checkpoint::parse);
  }

  /**
   * Returns the RFC 9162 §2.1.3 proof that entry {@code index} is in the tree of {@code size}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size <= size()}
   */
  public InclusionProof inclusionProof(long index, long size) {
    requireSize(size);
    return new InclusionProof(index, size, MerkleProofs.inclusionProof(index, size, store.nodes()));
  }

  /**
   * Returns the RFC 9162 §2.1.4 proof that the tree of {@code from} is a prefix of that of {@code
   * to}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to <= size()}
   */
  public ConsistencyProof consistencyProof(long from, long to) {
    requireSize(to);
    return new ConsistencyProof(from, to, MerkleProofs.consistencyProof(from, to, store.nodes()));
  }

  /**
   * Recomputes the whole tree from the stored entries and checks it against the stored leaf hashes,
   * node cache and signed checkpoints; see {@link LedgerVerification}.
   *
   * @param keys the keys whose checkpoint signatures are trusted (include retired keys)
   */
  public LedgerVerification verify(Collection<? extends NoteVerifier> keys) {
    return new LedgerAudit(store, origin, keys).run();
  }

  /** Finishes queued appends, stops the writer thread and closes the store. */
  @Override
  public void close() {
    committer.close();
    store.close();
  }

  private void requireSize(long size) {
    if (size < 0 || size > size()) {
      throw new IllegalArgumentException("tree size " + size + " outside 0.." + size());
    }
  }
}
