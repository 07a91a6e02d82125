-- Schema version 2 in PostgreSQL: node membership, heartbeats and fencing epochs, and the
-- append-only list of node signing keys (docs/STORAGE.md, "Nodes"). Column types follow SQLite's
-- (times as epoch milliseconds of the database's clock, lease_ms in milliseconds).
--
-- A run claimed by a node has owner 'node:<id>:<epoch>'. Each start of a node takes a new epoch;
-- a node whose heartbeat_at + lease_ms is past is declared dead by any live node (state 'dead'),
-- and every finishing write of a node checks, in its transaction, that its row is still live with
-- its epoch (SELECT … FOR SHARE), so a write and a declaration of death serialize.
CREATE TABLE nodes (
  id TEXT PRIMARY KEY, epoch BIGINT NOT NULL CHECK (epoch > 0),
  started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL,
  lease_ms BIGINT NOT NULL CHECK (lease_ms > 0),
  state TEXT NOT NULL CHECK (state IN ('live', 'dead', 'retired')),
  key_id TEXT, public_key TEXT);
CREATE INDEX nodes_state ON nodes(state, heartbeat_at);
CREATE INDEX runs_owner ON runs(owner, status);

-- Every public key a node ever signed with, kept after the node is retired so its receipts verify.
CREATE TABLE node_keys (
  public_key TEXT PRIMARY KEY, key_id TEXT NOT NULL,
  node_id TEXT NOT NULL, first_seen BIGINT NOT NULL);
CREATE TRIGGER node_keys_append_only BEFORE UPDATE OR DELETE ON node_keys
  FOR EACH ROW EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER node_keys_no_truncate BEFORE TRUNCATE ON node_keys
  FOR EACH STATEMENT EXECUTE FUNCTION quackrunner_append_only();
