-- Schema version 3: what reconcile and cleanup need.
-- reconcile walks the published snapshots in booking_id order from a shared cursor, a batch
-- per step, and wraps around at the end: the snapshot checked longest ago is always next, and
-- an unchanged snapshot costs no write (one row moves per batch, not one per snapshot).
-- Concurrent runs, on any host, take successive batches from the same cursor.
CREATE TABLE IF NOT EXISTS snapctl_reconcile_cursor (
	id int PRIMARY KEY CHECK (id = 1),
	position uuid NOT NULL,             -- the last booking_id handed out
	pass_started_at timestamptz NOT NULL -- when the cursor last wrapped around
);
INSERT INTO snapctl_reconcile_cursor VALUES (1, '00000000-0000-0000-0000-000000000000', now())
ON CONFLICT (id) DO NOTHING;

-- cleanup finds old finished snapshots without reading the rest of the table.
CREATE INDEX IF NOT EXISTS snapctl_finished_idx ON market_inventory_snapshots (status_changed_at)
	WHERE status IN ('withdrawn', 'completed');
