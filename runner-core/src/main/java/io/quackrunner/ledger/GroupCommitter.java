package io.quackrunner.ledger;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Batches concurrent appends into one store transaction on a single writer thread.
 *
 * <p>While one batch commits (one fsync), later appenders queue up; the writer then takes them all
 * as the next batch. Each appender's future completes only after its batch is durable; if the
 * transaction fails, every appender in the batch gets the error and nothing of it is stored.
 *
 * <p>Each batch is placed at the store's end as read inside the store's write transaction ({@link
 * LedgerStore#appendAtEnd}), so other processes appending to the same store are never overwritten
 * or collided with; the in-memory right edge is a cache, reloaded from the store when another
 * process has appended since.
 */
final class GroupCommitter implements AutoCloseable {
  static final int MAX_BATCH_ENTRIES = 4096;

  private record Pending(List<byte[]> entries, CompletableFuture<Long> firstIndex) {}

  /**
   * Queued by {@link #close} so that the writer, blocked in {@code take}, wakes at once and sees
   * {@code closed} (a timed poll made every close wait up to its timeout: about 90 ms of each
   * {@code runner exec}).
   */
  private static final Pending WAKE = new Pending(List.of(), new CompletableFuture<>());

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

  /** The right edge of the tree as this process last committed or loaded it (may lag the store). */
  Frontier committed() {
    return frontier;
  }

  /**
   * Queues {@code entries}; the future completes with the first index once their batch is durable,
   * or with RECEIPT_COMMIT_FAILED. Synchronized with {@link #close}, so nothing is queued after the
   * writer's last look at the queue (an append racing close is committed or refused, never left
   * waiting).
   */
  synchronized CompletableFuture<Long> submit(List<byte[]> entries) {
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
        Pending first = queue.take();
        if (first == WAKE) {
          continue;
        }
        batch.add(first);
        int count = first.entries().size();
        Pending next;
        while (count < MAX_BATCH_ENTRIES && (next = queue.poll()) != null) {
          if (next != WAKE) {
            batch.add(next);
            count += next.entries().size();
          }
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
    List<byte[]> entries = new ArrayList<>();
    List<byte[]> leafHashes = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    for (Pending p : batch) {
      offsets.add(entries.size());
      for (byte[] entry : p.entries()) {
        entries.add(entry);
        leafHashes.add(MerkleProofs.leafHash(entry));
      }
    }
    Frontier[] next = new Frontier[1];
    long firstIndex;
    try {
      firstIndex =
          store.appendAtEnd(
              entries,
              leafHashes,
              (size, committedNodes) -> {
                // Another process may have appended since this one last did: then the in-memory
                // edge is stale and the edge at the end read inside the write lock is loaded.
                Frontier tree =
                    frontier.size() == size ? frontier.copy() : Frontier.load(size, committedNodes);
                List<TreeNode> nodes = new ArrayList<>();
                for (byte[] leaf : leafHashes) {
                  tree.append(leaf, nodes);
                }
                next[0] = tree;
                return nodes;
              });
    } catch (RuntimeException e) {
      RunnerException error =
          e instanceof RunnerException re
              ? re
              : new RunnerException(ErrorKind.RECEIPT_COMMIT_FAILED, "ledger append failed", e);
      batch.forEach(p -> p.firstIndex().completeExceptionally(error));
      return;
    }
    frontier = next[0];
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).firstIndex().complete(firstIndex + offsets.get(i));
    }
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
    synchronized (this) {
      closed = true;
      queue.add(WAKE);
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
