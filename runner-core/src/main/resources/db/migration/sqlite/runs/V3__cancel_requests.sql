-- Schema version 3 of runs.db: a cancellation asked for by a process that does not execute the run
-- (docs/STORAGE.md, "Nodes"), e.g. `DELETE /runs/{id}` on a server while `runner exec` in another
-- process on the same state directory runs it. The owning process polls for the RUNNING runs it
-- owns with a request and kills their sandboxes. RFC 3339 text; the first request is kept.
ALTER TABLE runs ADD COLUMN cancel_requested_at TEXT;
