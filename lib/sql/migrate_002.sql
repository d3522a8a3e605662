-- Schema version 2: what publishing needs.
-- listing_oid: the ObjectId of the booking's listing, chosen once by the first claim that
-- publishes it and kept for good (also while no listing exists), so that every write of that
-- listing, by any worker, retry or rerun, names the same _id. market_listing_id shows it while
-- the listing is published. A hex ObjectId the earlier system stored is adopted.
-- recheck: a worker that lost its claim (lease taken over) after writing a listing sets it:
-- its write may have landed after the listing was removed, so a withdrawn or completed
-- snapshot with recheck set is due for removal again. Only a claim clears it.
ALTER TABLE market_inventory_snapshots
	ADD COLUMN IF NOT EXISTS listing_oid char(24),
	ADD COLUMN IF NOT EXISTS recheck boolean NOT NULL DEFAULT false;

UPDATE market_inventory_snapshots SET listing_oid = market_listing_id
WHERE listing_oid IS NULL AND market_listing_id ~ '^[0-9a-f]{24}$';

-- A new ObjectId: 4 bytes of seconds since the epoch, then 8 random bytes.
CREATE OR REPLACE FUNCTION snapctl_object_id() RETURNS char(24)
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
	SELECT lpad(to_hex(floor(extract(epoch FROM clock_timestamp()))::bigint), 8, '0')
	       || substr(md5(gen_random_uuid()::text), 1, 16)
$$;

-- Due work, found without reading the rest of the table: one partial index per way of
-- being due (see lib/src/sync.c).
CREATE INDEX IF NOT EXISTS snapctl_ready_idx ON market_inventory_snapshots (next_attempt_at)
	WHERE status = 'ready_to_publish';
CREATE INDEX IF NOT EXISTS snapctl_publishing_idx ON market_inventory_snapshots (lease_expires_at)
	WHERE status = 'publishing';
CREATE INDEX IF NOT EXISTS snapctl_published_end_idx ON market_inventory_snapshots (end_date)
	WHERE status = 'published';
CREATE INDEX IF NOT EXISTS snapctl_failed_idx ON market_inventory_snapshots (next_attempt_at)
	WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS snapctl_recheck_idx ON market_inventory_snapshots (next_attempt_at)
	WHERE recheck;
