package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run queue shared by every node of one PostgreSQL database (docs/STORAGE.md, "Queue"): a run
 * accepted by any node is a QUEUED row owned by {@link #UNCLAIMED}, and a node with a free slot
 * claims the oldest one in one statement ({@code FOR UPDATE SKIP LOCKED}).
 *
 * <ul>
 *   <li>{@link #enqueue}: under the transaction-scoped advisory lock {@value #ADMISSION_LOCK}
 *       (every admission on every node serializes on it), counts the unclaimed QUEUED runs, and
 *       inserts the run only while they are fewer than the capacity; in the same transaction {@code
 *       pg_notify('}{@value #CHANNEL}{@code ', id)} wakes the listening nodes at commit.
 *   <li>{@link #claimNext}: {@code UPDATE runs SET owner = <node> WHERE id = (SELECT id … WHERE
 *       owner = 'unclaimed' AND status = 'QUEUED' ORDER BY created_at::timestamptz, id FOR UPDATE
 *       SKIP LOCKED LIMIT 1) RETURNING id}, after the node's fence check in the same transaction.
 * </ul>
 */
public final class SharedQueue {
  /** The owner value of a QUEUED run no node has claimed yet. */
  public static final String UNCLAIMED = "unclaimed";

  /** The LISTEN/NOTIFY channel an enqueue notifies. */
  public static final String CHANNEL = "quackrunner_queue";

  /** The key of the advisory lock admissions serialize on. */
  static final long ADMISSION_LOCK = 0x5152_5155_4555_4531L; // "QRQUEUE1"

  private static final String COUNT =
      "SELECT count(*) FROM runs WHERE owner = '" + UNCLAIMED + "' AND status = 'QUEUED'";

  private final SqlAccess db;
  private final SqlRunStore runs;
  private final Connections listenConnections;

  /** Where a listener's dedicated connection comes from. */
  @FunctionalInterface
  interface Connections {
    Connection get() throws SQLException;
  }

  SharedQueue(SqlAccess db, SqlRunStore runs, Connections listenConnections) {
    this.db = db;
    this.runs = runs;
    this.listenConnections = listenConnections;
  }

  /**
   * Opens a listener: one connection held aside that has run {@code LISTEN} on {@value #CHANNEL}.
   *
   * @throws RunnerException of kind UNAVAILABLE when the connection or the LISTEN fails
   */
  public Listener listen() {
    Connection c = null;
    try {
      c = listenConnections.get();
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN " + CHANNEL);
      }
      return new Listener(c, c.unwrap(org.postgresql.PGConnection.class));
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // already failing
        }
      }
      throw new RunnerException(ErrorKind.UNAVAILABLE, "cannot listen on " + CHANNEL + ": " + e, e);
    }
  }

  /** A LISTEN on {@value #CHANNEL} over one dedicated connection; not thread-safe. */
  public static final class Listener implements AutoCloseable {
    private final Connection c;
    private final org.postgresql.PGConnection pg;

    private Listener(Connection c, org.postgresql.PGConnection pg) {
      this.c = c;
      this.pg = pg;
    }

    /**
     * Waits at most {@code timeoutMs} milliseconds (at least 1) for notifications.
     *
     * @return how many arrived (0 on timeout)
     * @throws RunnerException of kind UNAVAILABLE when the connection is lost
     */
    public int await(long timeoutMs) {
      try {
        var n = pg.getNotifications((int) Math.max(1, timeoutMs));
        return n == null ? 0 : n.length;
      } catch (SQLException e) {
        throw new RunnerException(ErrorKind.UNAVAILABLE, "lost the LISTEN connection: " + e, e);
      }
    }

    /** Closes the connection (returns it to the pool, which discards a broken one). */
    @Override
    public void close() {
      try (Statement s = c.createStatement()) {
        s.execute("UNLISTEN *"); // the connection goes back to a pool
      } catch (SQLException ignored) {
        // a lost connection: the pool discards it
      }
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing a lost connection
      }
    }
  }

  /**
   * Claims a record's trigger as {@link RunStore#claim(RunRecord, CallbackRecord)} does, as one
   * more unclaimed QUEUED run, only while fewer than {@code capacity} unclaimed runs wait across
   * every node; exact under any number of concurrent nodes (the count and the insert hold one
   * advisory lock).
   *
   * @param r a QUEUED record owned by {@link #UNCLAIMED}
   * @param callback its callback, inserted in the same transaction, or null
   * @param capacity the most unclaimed runs that may wait, at least 0
   * @return the claim (created, or the earlier run of the trigger), or empty when the queue is full
   *     and nothing was written
   * @throws RunnerException of kind INTERNAL on a database error, or for a record not owned by
   *     {@link #UNCLAIMED}
   */
  public Optional<Claim> enqueue(RunRecord r, CallbackRecord callback, int capacity) {
    if (!UNCLAIMED.equals(r.owner())) {
      throw new RunnerException(ErrorKind.INTERNAL, "an enqueued run is owned by " + UNCLAIMED);
    }
    try {
      Boolean inserted =
          db.transaction(
              c -> {
                try (Statement s = c.createStatement()) {
                  s.execute("SELECT pg_advisory_xact_lock(" + ADMISSION_LOCK + ")");
                  try (ResultSet rs = s.executeQuery(COUNT)) {
                    rs.next();
                    if (rs.getLong(1) >= capacity) {
                      return null;
                    }
                  }
                }
                if (!runs.insert(c, r, callback)) {
                  return false;
                }
                notify(c, r.id());
                return true;
              });
      if (inserted == null) {
        return Optional.empty();
      }
      return Optional.of(
          inserted
              ? new Claim(r, true)
              : new Claim(runs.findByTrigger(r.triggerHash()).orElseThrow(), false));
    } catch (SQLException e) {
      throw SqlErrors.of("shared queue enqueue", e, ErrorKind.INTERNAL);
    }
  }

  /**
   * Claims the oldest unclaimed QUEUED run for {@code owner} in one statement; concurrent claimers
   * skip each other's locked rows, so each run is claimed by exactly one node. Fenced like the
   * store's other writes ({@link RunStore#fence}).
   *
   * @param owner the claiming node's owner value ({@link NodeLease#owner()})
   * @return the claimed run's id, or empty when none waits
   * @throws NodeFenced when the store is fenced and its lease is no longer live
   * @throws RunnerException of kind UNAVAILABLE when the database is unreachable, else INTERNAL
   */
  public Optional<String> claimNext(String owner) {
    return runs.fencedCall(
        "claim of a queued run",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET owner = ? WHERE id = (SELECT id FROM runs WHERE owner = '"
                      + UNCLAIMED
                      + "' AND status = 'QUEUED' ORDER BY created_at::timestamptz, id"
                      + " FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }

  /**
   * Puts a QUEUED run claimed by {@code owner} back in the queue (unclaimed) and notifies; for a
   * run a stopping node claimed and never started. Fenced.
   *
   * @return false when it was no longer QUEUED under {@code owner}
   */
  public boolean release(String id, String owner) {
    return runs.fencedCall(
        "release of run " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET owner = '"
                      + UNCLAIMED
                      + "' WHERE id = ? AND owner = ? AND status = 'QUEUED'")) {
            ps.setString(1, id);
            ps.setString(2, owner);
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          notify(c, id);
          return true;
        });
  }

  /**
   * Puts every QUEUED run claimed by {@code owner} back in the queue (unclaimed) and notifies once
   * per run; for a node stopping cleanly, whose claimed runs another node should start instead of
   * waiting for this one's return. Fenced.
   *
   * @param owner the stopping node's owner value ({@link NodeLease#owner()})
   * @return the ids released, in no particular order
   * @throws NodeFenced when the store is fenced and its lease is no longer live
   * @throws RunnerException of kind UNAVAILABLE or INTERNAL on a database error
   */
  public List<String> releaseAll(String owner) {
    return runs.fencedCall(
        "release of the runs claimed by " + owner,
        c -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET owner = '"
                      + UNCLAIMED
                      + "' WHERE owner = ? AND status = 'QUEUED' RETURNING id")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
          }
          for (String id : ids) {
            notify(c, id);
          }
          return ids;
        });
  }

  /**
   * Returns the number of unclaimed QUEUED runs across every node.
   *
   * @throws RunnerException of kind UNAVAILABLE when the database is unreachable, else INTERNAL
   */
  public long waiting() {
    try {
      return db.call(
          c -> {
            try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(COUNT)) {
              rs.next();
              return rs.getLong(1);
            }
          });
    } catch (SQLException e) {
      throw SqlErrors.of("shared queue count", e, ErrorKind.INTERNAL);
    }
  }

  private static void notify(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
      ps.setString(1, id);
      ps.execute();
    }
  }
}
