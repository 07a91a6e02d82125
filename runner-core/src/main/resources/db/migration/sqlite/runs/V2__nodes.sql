-- Schema version 2 of runs.db: node membership and the append-only list of node signing keys
-- (docs/STORAGE.md, "Nodes"). On SQLite the state directory has one node, always live; the tables
-- exist so that both backends hold one schema and the node's key is listed.
-- Times are epoch milliseconds of the database's clock; lease_ms is milliseconds.
CREATE TABLE nodes (
  id TEXT PRIMARY KEY, epoch INTEGER NOT NULL CHECK (epoch > 0),
  started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL,
  lease_ms INTEGER NOT NULL CHECK (lease_ms > 0),
  state TEXT NOT NULL CHECK (state IN ('live', 'dead', 'retired')),
  key_id TEXT, public_key TEXT);
CREATE INDEX nodes_state ON nodes(state, heartbeat_at);

-- Every public key a node ever signed with, kept after the node is retired so its receipts verify.
CREATE TABLE node_keys (
  public_key TEXT PRIMARY KEY, key_id TEXT NOT NULL,
  node_id TEXT NOT NULL, first_seen INTEGER NOT NULL);
CREATE TRIGGER node_keys_no_update BEFORE UPDATE ON node_keys
  BEGIN SELECT RAISE(ABORT, 'node_keys is append-only'); END;
CREATE TRIGGER node_keys_no_delete BEFORE DELETE ON node_keys
  BEGIN SELECT RAISE(ABORT, 'node_keys is append-only'); END;
CREATE INDEX runs_owner ON runs(owner, status);
