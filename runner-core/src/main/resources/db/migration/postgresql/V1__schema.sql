-- Schema version 1 in PostgreSQL: the tables of SQLite's runs.db and ledger/ledger.db at their
-- version 1, in one database. Column types follow SQLite's so both backends store the same values
-- (times as RFC 3339 text in runs, epoch milliseconds in callbacks).

CREATE TABLE runs (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL,
  trigger_hash TEXT NOT NULL UNIQUE, request_hash TEXT NOT NULL,
  tool TEXT NOT NULL, version TEXT NOT NULL, verb TEXT NOT NULL,
  status TEXT NOT NULL, request_json TEXT NOT NULL,
  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
  exit_code INTEGER, signal INTEGER, error_kind TEXT, error_detail TEXT,
  result_json TEXT, receipt_json TEXT, ledger_index BIGINT,
  owner TEXT NOT NULL, trigger_json TEXT, origin_json TEXT);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_tenant ON runs(tenant, created_at);

CREATE TABLE callbacks (
  run_id TEXT PRIMARY KEY REFERENCES runs(id), url TEXT NOT NULL,
  address TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT, next_attempt_at BIGINT, deadline_at BIGINT,
  lease_owner TEXT, lease_until BIGINT, delivered_at BIGINT);
CREATE INDEX callbacks_state ON callbacks(state, next_attempt_at);

-- The ledger. ledger_head is its one sequencer row: every append locks it (SELECT … FOR UPDATE)
-- from reading the end to the commit, so appenders on any number of nodes are serialized and the
-- entries never gap or fork.
CREATE TABLE ledger_head (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), size BIGINT NOT NULL);
INSERT INTO ledger_head (one, size) VALUES (TRUE, 0);
CREATE TABLE ledger_entries (idx BIGINT PRIMARY KEY, leaf_hash BYTEA NOT NULL, entry BYTEA NOT NULL);
CREATE INDEX ledger_entries_by_leaf ON ledger_entries (leaf_hash);
CREATE TABLE ledger_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,
  PRIMARY KEY (level, idx));
CREATE TABLE ledger_checkpoints (seq BIGSERIAL PRIMARY KEY, size BIGINT NOT NULL, text TEXT NOT NULL);
CREATE TABLE ledger_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE FUNCTION quackrunner_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes
  FOR EACH ROW EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
  FOR EACH ROW EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER ledger_settings_append_only BEFORE UPDATE OR DELETE ON ledger_settings
  FOR EACH ROW EXECUTE FUNCTION quackrunner_append_only();
-- Row triggers do not fire on TRUNCATE; a statement trigger refuses it too.
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION quackrunner_append_only();
CREATE TRIGGER ledger_settings_no_truncate BEFORE TRUNCATE ON ledger_settings
  FOR EACH STATEMENT EXECUTE FUNCTION quackrunner_append_only();
