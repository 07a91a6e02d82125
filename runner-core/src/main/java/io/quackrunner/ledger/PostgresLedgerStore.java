package io.quackrunner.ledger;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.NodeFenced;
import io.quackrunner.store.NodeLease;
import io.quackrunner.store.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link LedgerStore} in a shared {@link PostgresDatabase}: tables {@code ledger_entries}, {@code
 * ledger_nodes}, {@code ledger_checkpoints}, {@code ledger_settings}, each refusing UPDATE, DELETE
 * and TRUNCATE by trigger, and the one-row {@code ledger_head}.
 *
 * <p>The database is the sequencer: every append locks the head row ({@code SELECT size FROM
 * ledger_head FOR UPDATE}) from reading the end to the commit, so appenders on any number of nodes
 * are serialized and entries never gap or fork; {@link GroupCommitter} batches the appends of one
 * node into one such transaction.
 */
public final class PostgresLedgerStore implements LedgerStore {
  private final PostgresDatabase db;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  private volatile NodeLease fence;

  private PostgresLedgerStore(PostgresDatabase db) {
    this.db = db;
  }

  /**
   * Fences this store's appends with a node's lease: from now on every append transaction reads the
   * lease's node row {@code FOR SHARE} after locking the log head, and throws {@link NodeFenced}
   * (appending nothing) unless it is live with the lease's epoch. A declaration of the node's death
   * updates that row, so it waits for an append in progress, and an append after it is refused.
   */
  public void fence(NodeLease lease) {
    this.fence = lease;
  }

  /** Uses an opened database, taking a share of its pool that {@link #close} returns. */
  public static PostgresLedgerStore open(PostgresDatabase db) {
    return new PostgresLedgerStore(db.retain());
  }

  @Override
  public long size() {
    try (Connection c = db.connection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT size FROM ledger_head")) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public void append(
      long firstIndex, List<byte[]> entries, List<byte[]> leafHashes, List<TreeNode> nodes) {
    appendAtEnd(
        entries,
        leafHashes,
        (size, committed) -> {
          if (size != firstIndex) {
            throw new RunnerException(
                ErrorKind.RECEIPT_COMMIT_FAILED,
                "ledger append at index " + firstIndex + ", but the ledger holds " + size);
          }
          return nodes;
        });
  }

  @Override
  public long appendAtEnd(List<byte[]> entries, List<byte[]> leafHashes, AppendPlan plan) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        long first;
        try (Statement s = c.createStatement();
            ResultSet r = s.executeQuery("SELECT size FROM ledger_head FOR UPDATE")) {
          r.next();
          first = r.getLong(1);
        }
        NodeLease f = fence;
        if (f != null) {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT 1 FROM nodes WHERE id = ? AND epoch = ? AND state = 'live' FOR SHARE")) {
            p.setString(1, f.nodeId());
            p.setLong(2, f.epoch());
            try (ResultSet r = p.executeQuery()) {
              if (!r.next()) {
                throw new NodeFenced(f, "ledger append of " + entries.size() + " entries");
              }
            }
          }
        }
        // Read only when the plan asks (its in-memory frontier is behind: another node appended),
        // then the whole right edge at once.
        List<Map<Long, byte[]>> edge = new ArrayList<>(1);
        List<TreeNode> nodes =
            plan.nodes(
                first,
                (level, index) -> {
                  try {
                    if (edge.isEmpty()) {
                      edge.add(rightEdge(c, first));
                    }
                    byte[] h = edge.get(0).get(edgeKey(level, index));
                    return h != null ? h : node(c, level, index);
                  } catch (SQLException e) {
                    throw readFailed(e);
                  }
                });
        try (PreparedStatement e =
                c.prepareStatement(
                    "INSERT INTO ledger_entries (idx, leaf_hash, entry) VALUES (?, ?, ?)");
            PreparedStatement n =
                c.prepareStatement("INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)");
            PreparedStatement h = c.prepareStatement("UPDATE ledger_head SET size = ?")) {
          for (int i = 0; i < entries.size(); i++) {
            e.setLong(1, first + i);
            e.setBytes(2, leafHashes.get(i));
            e.setBytes(3, entries.get(i));
            e.addBatch();
          }
          e.executeBatch();
          for (TreeNode node : nodes) {
            n.setInt(1, node.level());
            n.setLong(2, node.index());
            n.setBytes(3, node.hash());
            n.addBatch();
          }
          n.executeBatch();
          h.setLong(1, first + entries.size());
          h.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
        return first;
      } catch (SQLException | RuntimeException ex) {
        io.quackrunner.store.SqlErrors.undo(c, ex);
        throw ex;
      }
    } catch (SQLException ex) {
      throw new RunnerException(
          ErrorKind.RECEIPT_COMMIT_FAILED, "ledger append failed: " + ex.getMessage(), ex);
    }
  }

  @Override
  public byte[] entry(long index) {
    try (Connection c = db.connection();
        PreparedStatement p =
            c.prepareStatement("SELECT entry FROM ledger_entries WHERE idx = ?")) {
      p.setLong(1, index);
      try (ResultSet r = p.executeQuery()) {
        if (!r.next()) {
          throw new RunnerException(ErrorKind.NOT_FOUND, "ledger has no entry " + index);
        }
        return r.getBytes(1);
      }
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public NodeSource nodes() {
    return (level, index) -> {
      try (Connection c = db.connection()) {
        return node(c, level, index);
      } catch (SQLException e) {
        throw readFailed(e);
      }
    };
  }

  /**
   * Reads, in one statement, the stored nodes of the right edge of a tree of {@code size} leaves
   * (one per set bit of the size, as {@link Frontier#load} asks for them): an appender that finds
   * the head moved by another node reloads its frontier while it holds the head row, and one round
   * trip there instead of one per node shortens that hold (docs/BENCHMARKS.md "PostgreSQL cost per
   * run"). A node not returned is read alone, and reported missing, by {@link #node}.
   *
   * @return hash by {@link #edgeKey}
   */
  private static Map<Long, byte[]> rightEdge(Connection c, long size) throws SQLException {
    List<Integer> levels = new ArrayList<>();
    List<Long> indexes = new ArrayList<>();
    long start = 0;
    for (int level = 62; level >= 0; level--) {
      long width = 1L << level;
      if ((size & width) != 0) {
        levels.add(level);
        indexes.add(start >> level);
        start += width;
      }
    }
    Map<Long, byte[]> found = new HashMap<>();
    if (levels.isEmpty()) {
      return found;
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT n.level, n.idx, n.hash FROM ledger_nodes n"
                + " JOIN unnest(?::int[], ?::bigint[]) AS e(level, idx)"
                + " ON n.level = e.level AND n.idx = e.idx")) {
      p.setArray(1, c.createArrayOf("integer", levels.toArray()));
      p.setArray(2, c.createArrayOf("bigint", indexes.toArray()));
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          found.put(edgeKey(r.getInt(1), r.getLong(2)), r.getBytes(3));
        }
      }
    }
    return found;
  }

  /** The key of node (level, index) in {@link #rightEdge}'s map: level in the top 6 bits. */
  private static long edgeKey(int level, long index) {
    return ((long) level << 57) | index;
  }

  private static byte[] node(Connection c, int level, long index) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?")) {
      p.setInt(1, level);
      p.setLong(2, index);
      try (ResultSet r = p.executeQuery()) {
        if (!r.next()) {
          throw new RunnerException(
              ErrorKind.VERIFICATION_FAILED,
              "ledger node cache lacks node level " + level + " index " + index);
        }
        return r.getBytes(1);
      }
    }
  }

  @Override
  public OptionalLong indexOfLeaf(byte[] leafHash) {
    try (Connection c = db.connection();
        PreparedStatement p =
            c.prepareStatement("SELECT MIN(idx) FROM ledger_entries WHERE leaf_hash = ?")) {
      p.setBytes(1, leafHash);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        long idx = r.getLong(1);
        return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(idx);
      }
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public void addCheckpoint(long size, String text) {
    try (Connection c = db.connection();
        PreparedStatement p =
            c.prepareStatement("INSERT INTO ledger_checkpoints (size, text) VALUES (?, ?)")) {
      p.setLong(1, size);
      p.setString(2, text);
      p.executeUpdate();
    } catch (SQLException e) {
      throw new RunnerException(
          ErrorKind.RECEIPT_COMMIT_FAILED, "cannot store checkpoint: " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> checkpoints() {
    try (Connection c = db.connection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT text FROM ledger_checkpoints ORDER BY seq")) {
      List<String> out = new ArrayList<>();
      while (r.next()) {
        out.add(r.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public Optional<String> setting(String key) {
    try (Connection c = db.connection();
        PreparedStatement p =
            c.prepareStatement("SELECT value FROM ledger_settings WHERE key = ?")) {
      p.setString(1, key);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public String putSettingIfAbsent(String key, String value) {
    try (Connection c = db.connection();
        PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO ledger_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO"
                    + " NOTHING")) {
      p.setString(1, key);
      p.setString(2, value);
      p.executeUpdate();
    } catch (SQLException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot store ledger setting " + key + ": " + e.getMessage(), e);
    }
    return setting(key)
        .orElseThrow(
            () -> new RunnerException(ErrorKind.INTERNAL, "ledger setting " + key + " vanished"));
  }

  @Override
  public void scanEntries(EntryVisitor visitor) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
      try (Statement s = c.createStatement()) {
        s.setFetchSize(1024);
        try (ResultSet r =
            s.executeQuery("SELECT idx, leaf_hash, entry FROM ledger_entries ORDER BY idx")) {
          while (r.next() && visitor.visit(r.getLong(1), r.getBytes(2), r.getBytes(3))) {
            // the visitor does the work
          }
        }
      } catch (SQLException | RuntimeException ex) {
        io.quackrunner.store.SqlErrors.undo(c, ex);
        throw ex;
      }
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      db.close();
    }
  }

  private RunnerException readFailed(SQLException e) {
    return io.quackrunner.store.SqlErrors.of(
        "ledger " + db.name() + " read", e, ErrorKind.INTERNAL);
  }
}
