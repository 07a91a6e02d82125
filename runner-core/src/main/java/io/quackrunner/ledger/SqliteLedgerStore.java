package io.quackrunner.ledger;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.Schema;
import io.quackrunner.store.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link LedgerStore} in one SQLite file (org.xerial sqlite-jdbc), WAL mode, {@code
 * synchronous=FULL}.
 *
 * <p>Why FULL: in WAL mode NORMAL syncs only at checkpoints, so a commit survives a process crash
 * but not a power loss; the ledger promises that an acknowledged append is durable, and group
 * commit pays the one fsync per batch. Tables: {@code entries(idx, leaf_hash, entry)}, {@code
 * nodes(level, idx, hash)} holding every complete subtree (level 0 included, so proofs read one
 * table and audits cross-check leaf hashes), {@code checkpoints}, {@code settings}; triggers make
 * each of them refuse UPDATE and DELETE with RAISE(ABORT).
 */
public final class SqliteLedgerStore implements LedgerStore {
  /**
   * How long a statement waits for another connection's lock, in milliseconds; appends from many
   * processes queue on the write lock for at most this long.
   */
  static final int BUSY_TIMEOUT_MS = SqliteDatabase.BUSY_TIMEOUT_MS;

  private final Path file;
  private final Connection writer;
  private final Connection reader;

  private SqliteLedgerStore(Path file, Connection writer, Connection reader) {
    this.file = file;
    this.writer = writer;
    this.reader = reader;
  }

  /**
   * Opens or creates the ledger database at {@code file}, migrating it to the code's schema ({@code
   * db/migration/sqlite/ledger}: tables and append-only triggers).
   *
   * @throws RunnerException CONFIGURATION if the file cannot be opened as a ledger, or
   *     SCHEMA_MISMATCH when its schema is newer than this runner's
   */
  public static SqliteLedgerStore open(Path file) {
    Connection writer = SqliteDatabase.open(file, Schema.Location.SQLITE_LEDGER, null);
    try {
      return new SqliteLedgerStore(file, writer, connect(file));
    } catch (SQLException e) {
      try {
        writer.close();
      } catch (SQLException ignored) {
        // the open failed; its error is reported
      }
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot open ledger " + file + ": " + e.getMessage(), e);
    }
  }

  private static Connection connect(Path file) throws SQLException {
    return SqliteDatabase.connect(file);
  }

  /** Returns the database file. */
  public Path file() {
    return file;
  }

  @Override
  public long size() {
    synchronized (reader) {
      try (Statement s = reader.createStatement();
          ResultSet r = s.executeQuery("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries")) {
        return r.getLong(1);
      } catch (SQLException e) {
        throw readFailed(e);
      }
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

  /**
   * {@inheritDoc}
   *
   * <p>Here: {@code BEGIN IMMEDIATE} takes SQLite's write lock first (waiting up to {@link
   * #BUSY_TIMEOUT_MS} for another process's append to finish), then the end is read, the plan run
   * and the rows inserted, and {@code COMMIT} makes them durable; any failure rolls back.
   */
  @Override
  public long appendAtEnd(List<byte[]> entries, List<byte[]> leafHashes, AppendPlan plan) {
    synchronized (writer) {
      try {
        begin();
        long first;
        try (Statement s = writer.createStatement();
            ResultSet r = s.executeQuery("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries")) {
          first = r.getLong(1);
        }
        List<TreeNode> nodes =
            plan.nodes(
                first,
                (level, index) -> {
                  try {
                    return node(writer, level, index);
                  } catch (SQLException e) {
                    throw readFailed(e);
                  }
                });
        try (PreparedStatement e =
                writer.prepareStatement(
                    "INSERT INTO entries (idx, leaf_hash, entry) VALUES (?, ?, ?)");
            PreparedStatement n =
                writer.prepareStatement("INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)")) {
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
        }
        commit();
        return first;
      } catch (SQLException ex) {
        rollback();
        throw new RunnerException(
            ErrorKind.RECEIPT_COMMIT_FAILED, "ledger append failed: " + ex.getMessage(), ex);
      } catch (RuntimeException ex) {
        rollback();
        throw ex;
      }
    }
  }

  @Override
  public byte[] entry(long index) {
    return readBytes("SELECT entry FROM entries WHERE idx = ?", index, "entry " + index);
  }

  @Override
  public NodeSource nodes() {
    return (level, index) -> {
      synchronized (reader) {
        try {
          return node(reader, level, index);
        } catch (SQLException e) {
          throw readFailed(e);
        }
      }
    };
  }

  private static byte[] node(Connection c, int level, long index) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT hash FROM nodes WHERE level = ? AND idx = ?")) {
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
    synchronized (reader) {
      try (PreparedStatement p =
          reader.prepareStatement("SELECT MIN(idx) FROM entries WHERE leaf_hash = ?")) {
        p.setBytes(1, leafHash);
        try (ResultSet r = p.executeQuery()) {
          long idx = r.getLong(1);
          return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(idx);
        }
      } catch (SQLException e) {
        throw readFailed(e);
      }
    }
  }

  @Override
  public void addCheckpoint(long size, String text) {
    synchronized (writer) {
      try (PreparedStatement p =
          writer.prepareStatement("INSERT INTO checkpoints (size, text) VALUES (?, ?)")) {
        p.setLong(1, size);
        p.setString(2, text);
        p.executeUpdate(); // one statement: its own transaction
      } catch (SQLException e) {
        throw new RunnerException(
            ErrorKind.RECEIPT_COMMIT_FAILED, "cannot store checkpoint: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public List<String> checkpoints() {
    synchronized (reader) {
      try (Statement s = reader.createStatement();
          ResultSet r = s.executeQuery("SELECT text FROM checkpoints ORDER BY seq")) {
        List<String> out = new ArrayList<>();
        while (r.next()) {
          out.add(r.getString(1));
        }
        return out;
      } catch (SQLException e) {
        throw readFailed(e);
      }
    }
  }

  @Override
  public Optional<String> setting(String key) {
    synchronized (reader) {
      try (PreparedStatement p =
          reader.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
        p.setString(1, key);
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
        }
      } catch (SQLException e) {
        throw readFailed(e);
      }
    }
  }

  @Override
  public String putSettingIfAbsent(String key, String value) {
    synchronized (writer) {
      try (PreparedStatement p =
          writer.prepareStatement("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)")) {
        p.setString(1, key);
        p.setString(2, value);
        p.executeUpdate(); // one statement: its own transaction
        return setting(key).orElseThrow(() -> new SQLException("setting " + key + " vanished"));
      } catch (SQLException e) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION,
            "cannot store ledger setting " + key + ": " + e.getMessage(),
            e);
      }
    }
  }

  @Override
  public void scanEntries(EntryVisitor visitor) {
    // A separate connection, so a long audit neither blocks nor is blocked by readers.
    try (Connection c = connect(file);
        Statement s = c.createStatement()) {
      s.setFetchSize(1024);
      try (ResultSet r = s.executeQuery("SELECT idx, leaf_hash, entry FROM entries ORDER BY idx")) {
        while (r.next() && visitor.visit(r.getLong(1), r.getBytes(2), r.getBytes(3))) {
          // the visitor does the work
        }
      }
    } catch (SQLException e) {
      throw readFailed(e);
    }
  }

  @Override
  public void close() {
    try {
      synchronized (writer) {
        writer.close();
      }
      synchronized (reader) {
        reader.close();
      }
    } catch (SQLException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot close ledger " + file, e);
    }
  }

  private byte[] readBytes(String sql, long index, String what) {
    synchronized (reader) {
      try (PreparedStatement p = reader.prepareStatement(sql)) {
        p.setLong(1, index);
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            throw new RunnerException(ErrorKind.NOT_FOUND, "ledger has no " + what);
          }
          return r.getBytes(1);
        }
      } catch (SQLException e) {
        throw readFailed(e);
      }
    }
  }

  // The writer stays in JDBC auto-commit mode (the driver would otherwise hold a transaction open
  // between appends); append transactions are bracketed by hand.
  private void begin() throws SQLException {
    try (Statement s = writer.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
  }

  private void commit() throws SQLException {
    try (Statement s = writer.createStatement()) {
      s.execute("COMMIT");
    }
  }

  private void rollback() {
    try (Statement s = writer.createStatement()) {
      s.execute("ROLLBACK"); // fails harmlessly when BEGIN itself failed
    } catch (SQLException ignored) {
      // the failed transaction is abandoned either way; the original error is reported
    }
  }

  private RunnerException readFailed(SQLException e) {
    return new RunnerException(
        ErrorKind.INTERNAL, "ledger " + file + " read failed: " + e.getMessage(), e);
  }
}
