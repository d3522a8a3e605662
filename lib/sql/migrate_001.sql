-- Schema version 1: market_inventory_snapshots as snapctl needs it.
-- Creates the table, or upgrades in place the one the earlier Python system made (same columns,
-- freshness varchar(32), no default on id, naive timestamps possible, two unique indexes on
-- booking_id). Loses no row and no column: legacy-only columns (market_listing_url,
-- next_sync_at) stay as they are. Runs inside init-db's transaction, under its lock.
CREATE TABLE IF NOT EXISTS market_inventory_snapshots (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	booking_id uuid NOT NULL,
	farmer_id uuid,
	vendor_id uuid,
	location_id uuid,
	crop_type varchar(120),
	grade varchar(16),
	quantity_kg integer,
	start_date timestamptz,
	end_date timestamptz,
	duration_days integer,
	inspection_id uuid,
	inspection_status varchar(32),
	quality_score numeric(5, 2),
	freshness varchar(120),
	visual_defects text,
	shelf_life_days integer,
	sensors jsonb,
	sensor_summary jsonb,
	pest_events jsonb,
	has_pest_alerts boolean,
	pest_count integer,
	certificates jsonb,
	is_certified boolean,
	certification_types varchar[],
	status varchar(32),
	market_listing_id varchar(64),
	published_at timestamptz,
	last_synced_at timestamptz,
	snap_metadata jsonb,
	created_at timestamptz,
	updated_at timestamptz
);

-- snapctl's own columns. Fast defaults: no table rewrite.
ALTER TABLE market_inventory_snapshots
	ALTER COLUMN id SET DEFAULT gen_random_uuid(),
	ADD COLUMN IF NOT EXISTS snapshot_version bigint NOT NULL DEFAULT 1,
	ADD COLUMN IF NOT EXISTS booking_status varchar(32),
	ADD COLUMN IF NOT EXISTS status_changed_at timestamptz,
	ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz,
	ADD COLUMN IF NOT EXISTS last_error text,
	ADD COLUMN IF NOT EXISTS lease_token uuid,
	ADD COLUMN IF NOT EXISTS lease_expires_at timestamptz,
	ADD COLUMN IF NOT EXISTS published_version bigint,
	ADD COLUMN IF NOT EXISTS content_hash bigint;

DO $$
DECLARE
	r record;
	keep oid;
BEGIN
	-- FIX: freshness labels up to 120 characters. Widening a varchar is a catalog change only;
	-- a column already wider is left alone.
	IF (SELECT atttypmod - 4 FROM pg_attribute
	    WHERE attrelid = 'market_inventory_snapshots'::regclass AND attname = 'freshness'
	      AND atttypid = 'varchar'::regtype) BETWEEN 0 AND 119 THEN
		ALTER TABLE market_inventory_snapshots ALTER COLUMN freshness TYPE varchar(120);
	END IF;

	-- All timestamps are timestamptz; a naive one held UTC (the earlier system's utcnow()).
	FOR r IN SELECT attname FROM pg_attribute
		 WHERE attrelid = 'market_inventory_snapshots'::regclass AND NOT attisdropped
		   AND atttypid = 'timestamp'::regtype
		   AND attname IN ('start_date', 'end_date', 'published_at', 'last_synced_at',
				   'created_at', 'updated_at')
	LOOP
		EXECUTE format('ALTER TABLE market_inventory_snapshots ALTER COLUMN %I TYPE timestamptz'
			       ' USING %I AT TIME ZONE ''UTC''', r.attname, r.attname);
	END LOOP;

	-- FIX: one unique index on booking_id, not two. Keep a constraint's index if there is one.
	FOR r IN SELECT i.indexrelid, c.conname
		 FROM pg_index i
		 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		 LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
		 WHERE i.indrelid = 'market_inventory_snapshots'::regclass AND i.indisunique
		   AND i.indnkeyatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL
		   AND a.attname = 'booking_id'
		 ORDER BY c.conname IS NULL, i.indisvalid DESC, i.indexrelid
	LOOP
		IF keep IS NULL THEN
			keep := r.indexrelid;
		ELSIF r.conname IS NOT NULL THEN
			EXECUTE format('ALTER TABLE market_inventory_snapshots DROP CONSTRAINT %I',
				       r.conname);
		ELSE
			EXECUTE format('DROP INDEX %s', r.indexrelid::regclass);
		END IF;
	END LOOP;
	IF keep IS NULL THEN
		ALTER TABLE market_inventory_snapshots
			ADD CONSTRAINT market_inventory_snapshots_booking_id_key UNIQUE (booking_id);
	END IF;
END
$$;

UPDATE market_inventory_snapshots
SET status_changed_at = coalesce(updated_at, created_at, now())
WHERE status_changed_at IS NULL;

-- ISO 8601 in UTC with an explicit offset, microseconds only when present (as Python's
-- isoformat() wrote them).
CREATE OR REPLACE FUNCTION snapctl_iso(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(ts AT TIME ZONE 'UTC',
		       CASE WHEN date_part('microseconds', ts AT TIME ZONE 'UTC')::bigint % 1000000 = 0
			    THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'
			    ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END)
$$;
