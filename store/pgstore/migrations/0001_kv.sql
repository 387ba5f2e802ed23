-- The store's rows, as the Badger engine keys them (store/kv.go): ordered keys, JSON values.
-- bytea compares byte by byte, the order the store's prefix scans expect.
CREATE TABLE kv (
	k bytea PRIMARY KEY,
	v bytea NOT NULL
);

-- Audit sequence numbers for every front end (store.AuditSequencer); gaps are harmless.
CREATE SEQUENCE audit_seq;

-- The change feed: one row per committed write, in commit order (writers take a lock before
-- numbering, see pgstore.go), announced by NOTIFY sanbai_changes; a front end that was away
-- catches up from the last seq it saw.
CREATE SEQUENCE change_seq;
CREATE TABLE changes (
	seq bigint PRIMARY KEY,
	origin text NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	body jsonb NOT NULL
);
