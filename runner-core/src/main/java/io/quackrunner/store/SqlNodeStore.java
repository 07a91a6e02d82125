package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of both node stores; only the expression of the database's clock in epoch milliseconds
 * differs between SQLite and PostgreSQL.
 */
final class SqlNodeStore implements NodeStore {
  /** The clock of SQLite, epoch milliseconds. */
  static final String SQLITE_NOW = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

  /** The clock of PostgreSQL, epoch milliseconds (the statement's time, not the transaction's). */
  static final String POSTGRES_NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

  private static final String COLUMNS =
      "id, epoch, started_at, heartbeat_at, lease_ms, state, key_id, public_key";

  private final SqlAccess db;
  private final String now;

  SqlNodeStore(SqlAccess db, String now) {
    this.db = db;
    this.now = now;
  }

  @Override
  public NodeLease register(String nodeId, long leaseMs, String keyId, String publicKey) {
    NodeLease.checkId(nodeId);
    if (leaseMs < 1) {
      throw new RunnerException(ErrorKind.USAGE, "a node lease is at least 1 ms, not " + leaseMs);
    }
    String upsert =
        "INSERT INTO nodes ("
            + COLUMNS
            + ") VALUES (?, 1, "
            + now
            + ", "
            + now
            + ", ?, 'live', ?, ?) ON CONFLICT (id) DO UPDATE SET epoch = nodes.epoch + 1,"
            + " started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,"
            + " lease_ms = excluded.lease_ms, state = 'live', key_id = excluded.key_id,"
            + " public_key = excluded.public_key RETURNING epoch";
    try {
      long epoch =
          db.transaction(
              c -> {
                long e;
                try (PreparedStatement ps = c.prepareStatement(upsert)) {
                  ps.setString(1, nodeId);
                  ps.setLong(2, leaseMs);
                  ps.setString(3, keyId);
                  ps.setString(4, publicKey);
                  try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    e = rs.getLong(1);
                  }
                }
                if (publicKey != null) {
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "INSERT INTO node_keys (public_key, key_id, node_id, first_seen)"
                              + " VALUES (?, ?, ?, "
                              + now
                              + ") ON CONFLICT (public_key) DO NOTHING")) {
                    ps.setString(1, publicKey);
                    ps.setString(2, keyId);
                    ps.setString(3, nodeId);
                    ps.executeUpdate();
                  }
                }
                return e;
              });
      return new NodeLease(nodeId, epoch);
    } catch (SQLException e) {
      throw fail("register", e);
    }
  }

  @Override
  public boolean heartbeat(NodeLease lease) {
    return update(
        "UPDATE nodes SET heartbeat_at = " + now + " WHERE id = ? AND epoch = ? AND state = 'live'",
        lease);
  }

  @Override
  public List<NodeLease> declareDead() {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE nodes SET state = 'dead' WHERE state = 'live'"
                            + " AND heartbeat_at + lease_ms < "
                            + now
                            + " RETURNING id, epoch");
                ResultSet rs = ps.executeQuery()) {
              List<NodeLease> out = new ArrayList<>();
              while (rs.next()) {
                out.add(new NodeLease(rs.getString(1), rs.getLong(2)));
              }
              return out;
            }
          });
    } catch (SQLException e) {
      throw fail("declareDead", e);
    }
  }

  @Override
  public boolean retire(NodeLease lease) {
    return update(
        "UPDATE nodes SET state = 'retired' WHERE id = ? AND epoch = ? AND state = 'live'", lease);
  }

  @Override
  public boolean live(NodeLease lease) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT 1 FROM nodes WHERE id = ? AND epoch = ? AND state = 'live'")) {
              ps.setString(1, lease.nodeId());
              ps.setLong(2, lease.epoch());
              try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
              }
            }
          });
    } catch (SQLException e) {
      throw fail("live", e);
    }
  }

  @Override
  public List<NodeLease> liveLeases() {
    return nodes().stream().filter(n -> n.state().equals("live")).map(NodeRecord::lease).toList();
  }

  @Override
  public Optional<NodeRecord> find(String nodeId) {
    return nodes().stream().filter(n -> n.nodeId().equals(nodeId)).findFirst();
  }

  @Override
  public List<NodeRecord> nodes() {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM nodes ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
              List<NodeRecord> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new NodeRecord(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8)));
              }
              return out;
            }
          });
    } catch (SQLException e) {
      throw fail("nodes", e);
    }
  }

  @Override
  public List<NodeKey> keys() {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps =
                    c.prepareStatement(
                        "SELECT public_key, key_id, node_id, first_seen FROM node_keys"
                            + " ORDER BY first_seen, public_key");
                ResultSet rs = ps.executeQuery()) {
              List<NodeKey> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new NodeKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
              }
              return out;
            }
          });
    } catch (SQLException e) {
      throw fail("keys", e);
    }
  }

  private boolean update(String sql, NodeLease lease) {
    try {
      return db.call(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              ps.setString(1, lease.nodeId());
              ps.setLong(2, lease.epoch());
              return ps.executeUpdate() == 1;
            }
          });
    } catch (SQLException e) {
      throw fail("update", e);
    }
  }

  private static RunnerException fail(String op, SQLException e) {
    return SqlErrors.of("node store " + op, e, ErrorKind.INTERNAL);
  }
}
