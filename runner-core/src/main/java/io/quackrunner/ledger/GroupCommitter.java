package io.quackrunner.ledger;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches concurrent appends into one store transaction on a single writer thread.
 *
 * <p>While one batch commits (one fsync), later appenders queue up; the writer then takes them all
 * as the next batch. Each appender's future completes only after its batch is durable; if the
 * transaction fails, every appender in the batch gets the error and nothing of it is stored.
 */
final class GroupCommitter implements AutoCloseable {
  static final int MAX_BATCH_ENTRIES = 4096;

  private record Pending(List<byte[]> entries, CompletableFuture<Long> firstIndex) {}

  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final LedgerStore store;
  private final Thread thread;
  private volatile Frontier frontier;
  private volatile boolean closed;

  GroupCommitter(LedgerStore store, Frontier frontier) {
    this.store = store;
    this.frontier = frontier;
    this.thread = Thread.ofPlatform().daemon().name("ledger-group-commit").start(this::run);
  }

  /** The right edge of the committed tree. */
  Frontier committed() {
    return frontier;
  }

  CompletableFuture<Long> submit(List<byte[]> entries) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(
          new RunnerException(ErrorKind.RECEIPT_COMMIT_FAILED, "ledger is closed"));
      return done;
    }
    queue.add(new Pending(List.copyOf(entries), done));
    return done;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        int count = first.entries().size();
        Pending next;
        while (count < MAX_BATCH_ENTRIES && (next = queue.poll()) != null) {
          batch.add(next);
          count += next.entries().size();
        }
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    failRemaining();
  }

  private void commit(List<Pending> batch) {
    // Another process on the same state directory may have appended since this one last did: the
    // store's primary key then refuses the stale indices, and the batch is placed again after
    // the entries now stored (optimistic concurrency between processes sharing one ledger).
    for (int attempt = 0; ; attempt++) {
      RunnerException error = tryCommit(batch);
      if (error == null) {
        return;
      }
      long stored = storedSize();
      if (attempt >= 100 || stored == frontier.size()) {
        batch.forEach(p -> p.firstIndex().completeExceptionally(error));
        return;
      }
      frontier = Frontier.load(stored, store.nodes());
    }
  }

  private long storedSize() {
    try {
      return store.size();
    } catch (RuntimeException e) {
      return frontier.size();
    }
  }

  /** Appends the batch after the known frontier; returns null on success, else the error. */
  private RunnerException tryCommit(List<Pending> batch) {
    Frontier next = frontier.copy();
    long firstIndex = next.size();
    List<byte[]> entries = new ArrayList<>();
    List<byte[]> leafHashes = new ArrayList<>();
    List<TreeNode> nodes = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    for (Pending p : batch) {
      starts.add(next.size());
      for (byte[] entry : p.entries()) {
        byte[] leaf = MerkleProofs.leafHash(entry);
        entries.add(entry);
        leafHashes.add(leaf);
        next.append(leaf, nodes);
      }
    }
    try {
      store.append(firstIndex, entries, leafHashes, nodes);
    } catch (RuntimeException e) {
      return e instanceof RunnerException re
          ? re
          : new RunnerException(ErrorKind.RECEIPT_COMMIT_FAILED, "ledger append failed", e);
    }
    frontier = next;
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).firstIndex().complete(starts.get(i));
    }
    return null;
  }

  private void failRemaining() {
    Pending p;
    while ((p = queue.poll()) != null) {
      p.firstIndex()
          .completeExceptionally(
              new RunnerException(ErrorKind.RECEIPT_COMMIT_FAILED, "ledger closed before commit"));
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
