-- Schema version 1 of runs.db: the schema QuackRunner made before it used Flyway (the run store's
-- CREATE TABLE IF NOT EXISTS and its ALTERs adding trigger_json and origin_json, and the callback
-- outbox). "IF NOT EXISTS" throughout, because a state directory from before Flyway is baselined
-- at version 0 and then brought here by this same script (docs/STORAGE.md, "Migrations").
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL,
  trigger_hash TEXT NOT NULL UNIQUE, request_hash TEXT NOT NULL,
  tool TEXT NOT NULL, version TEXT NOT NULL, verb TEXT NOT NULL,
  status TEXT NOT NULL, request_json TEXT NOT NULL,
  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
  exit_code INTEGER, signal INTEGER, error_kind TEXT, error_detail TEXT,
  result_json TEXT, receipt_json TEXT, ledger_index INTEGER,
  owner TEXT NOT NULL, trigger_json TEXT, origin_json TEXT);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE INDEX IF NOT EXISTS runs_tenant ON runs(tenant, created_at);

CREATE TABLE IF NOT EXISTS callbacks (
  run_id TEXT PRIMARY KEY REFERENCES runs(id), url TEXT NOT NULL,
  address TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT, next_attempt_at INTEGER, deadline_at INTEGER,
  lease_owner TEXT, lease_until INTEGER, delivered_at INTEGER);
CREATE INDEX IF NOT EXISTS callbacks_state ON callbacks(state, next_attempt_at);
