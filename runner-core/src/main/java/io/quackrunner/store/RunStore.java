package io.quackrunner.store;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Run records and their idempotency claims: {@link SqliteRunStore} embedded in the state directory,
 * {@link PostgresRunStore} shared by several nodes. Every method is safe to call from any thread
 * and any number of processes on one database.
 *
 * <p>A trigger is claimed by inserting a record whose {@code trigger_hash} is unique: of any number
 * of concurrent claims, in any number of processes, exactly one inserts and the others read its
 * record (DESIGN invariant 1).
 */
public interface RunStore extends AutoCloseable {
  /**
   * Opens (creating and migrating if needed) the embedded SQLite store at a database file.
   *
   * @throws RunnerException of kind CONFIGURATION when the database cannot be opened, or
   *     SCHEMA_MISMATCH when its schema is newer than this runner's
   */
  static RunStore open(Path file) {
    return SqliteRunStore.open(file);
  }

  /** Returns the outbox of receipt callbacks, in the same database as the runs. */
  CallbackOutbox callbacks();

  /** Returns the node membership of the database the runs are in. */
  NodeStore nodes();

  /**
   * Fences this store's writes with a node's lease: from now on every write that moves or ends a
   * run ({@link #markRunning}, {@link #finish}, {@link #finishQueued}, {@link #interrupt}, {@link
   * #setReceipt}, {@link #takeOver}, {@link #adoptForReceipt}) checks, in its own transaction, that
   * the lease's node row is still live with its epoch, and throws {@link NodeFenced} (writing
   * nothing) when it is not. Unfenced (the default, and always on the embedded SQLite store) writes
   * check nothing.
   */
  void fence(NodeLease lease);

  /**
   * Claims a record's trigger: inserts the record, or returns the record that already holds its
   * trigger hash.
   *
   * @throws RunnerException of kind INTERNAL on a database error
   */
  Claim claim(RunRecord r);

  /**
   * Claims a record's trigger as {@link #claim(RunRecord)} does and, when the claim inserts the
   * record, adds its receipt callback to the outbox in the same transaction: a run with a callback
   * never exists without it.
   *
   * @param callback the run's callback ({@link CallbackRecord#pending}), or null for none
   * @throws RunnerException of kind INTERNAL on a database error
   */
  Claim claim(RunRecord r, CallbackRecord callback);

  /** Returns the record with this id. */
  Optional<RunRecord> find(String id);

  /** Returns the record holding this trigger hash. */
  Optional<RunRecord> findByTrigger(String triggerHash);

  /** Returns terminal runs whose receipt was never recorded (a crash between append and record). */
  List<RunRecord> terminalWithoutReceipt();

  /** Returns the runs in one status, oldest first. */
  List<RunRecord> byStatus(RunStatus status);

  /** Returns a tenant's most recent records, newest first, at most {@code limit}. */
  List<RunRecord> list(String tenant, int limit);

  /**
   * Returns one page of a tenant's records, newest first ({@code created_at}, then id, descending):
   * at most {@code limit}, only those in {@code status} and of {@code tool} when given, and only
   * those after the run {@code before} in that order when given (a cursor that stays stable while
   * new runs arrive).
   *
   * @param status a status to keep, or null for all
   * @param tool a tool name to keep, or null for all
   * @param before the id of the last run of the previous page, or null for the first page; an id
   *     the tenant does not own gives an empty page
   */
  List<RunRecord> page(String tenant, RunStatus status, String tool, String before, int limit);

  /** Returns the number of records. */
  long count();

  /**
   * Moves a QUEUED run to RUNNING.
   *
   * @return false when the run was no longer QUEUED (e.g. cancelled), so it must not start
   */
  boolean markRunning(String id, Instant startedAt);

  /**
   * Writes a terminal status unless the run already has one.
   *
   * @return false when the run was already terminal (nothing written)
   */
  boolean finish(String id, Completion c);

  /**
   * Writes a terminal status only if the run is still QUEUED (a cancel that must not race a start).
   *
   * @return false when the run was no longer QUEUED (nothing written)
   */
  boolean finishQueued(String id, Completion c);

  /**
   * Ends a RUNNING run of a dead owner as INTERRUPTED (or whatever {@code c} says) and makes {@code
   * newOwner} its owner, in one conditional statement: only if it is still RUNNING, still owned by
   * {@code deadOwner}, and that owner is not a live node start ({@link NodeLease#owner()} of a live
   * row of {@link #nodes()}). Of any number of nodes interrupting one run, exactly one gets true,
   * and only that one issues its receipt.
   *
   * @return false when the run was no longer RUNNING under a dead {@code deadOwner}
   * @throws NodeFenced when the store is fenced and its lease is no longer live
   */
  boolean interrupt(String id, String deadOwner, String newOwner, Completion c);

  /**
   * Records that a cancellation of a RUNNING run was asked for by a process that does not execute
   * it (another node, or another process on the same state directory); the run's owner finds it
   * with {@link #cancelRequests} and kills its sandbox. The first request's time is kept. Not
   * fenced: it moves nothing, and a request to a dead owner's run is moot once it is recovered.
   *
   * @param at when it was asked for (this process's clock; informational only)
   * @return false when the run is not RUNNING (queued, ended, or no such run): nothing recorded
   * @throws RunnerException of kind INTERNAL on a database error
   */
  boolean requestCancel(String id, Instant at);

  /**
   * Returns the ids of the RUNNING runs of {@code owner} whose cancellation was asked for ({@link
   * #requestCancel}); one indexed query ({@code runs(owner, status)}).
   *
   * @throws RunnerException of kind INTERNAL on a database error
   */
  List<String> cancelRequests(String owner);

  /** Records a run's receipt once; a second call for the same run changes nothing. */
  boolean setReceipt(String id, String receiptJson, Long ledgerIndex);

  /**
   * Transfers a terminal run that has no recorded receipt from a dead owner to this process, so
   * that exactly one process repairs its receipt; refused while the old owner is a live node start.
   *
   * @return false when another process adopted it first, or it has its receipt
   */
  boolean adoptForReceipt(String id, String oldOwner, String newOwner);

  /**
   * Transfers a non-terminal run from one owner to another, unless the old owner is a live node
   * start (checked in the same statement).
   *
   * @return false when another process took it first or it is terminal
   */
  boolean takeOver(String id, String oldOwner, String newOwner);

  /**
   * Returns the run queue shared by the nodes of this database ({@link SharedQueue}), or empty for
   * a store whose queue is each process's own (the embedded SQLite store).
   */
  default Optional<SharedQueue> sharedQueue() {
    return Optional.empty();
  }

  /** Releases the store's connections. */
  @Override
  void close();
}
