-- Schema version 3 in PostgreSQL: a cancellation asked for on a node that does not execute the run
-- (docs/STORAGE.md, "Nodes"). The node whose owner value the run holds polls for the RUNNING runs
-- it owns with a request and kills their sandboxes; the run then ends CANCELLED through its owner,
-- which issues the one receipt. RFC 3339 text, like the other times of runs; the first request is
-- kept.
ALTER TABLE runs ADD COLUMN cancel_requested_at TEXT;
