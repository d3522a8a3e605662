-- Schema version 5: what surviving bad data and lost history needs (SPEC section 9).
-- held: the operator withdrew the listing (snapctl withdraw); later content changes keep it
-- withdrawn until snapctl publish lifts the hold.
ALTER TABLE market_inventory_snapshots
	ADD COLUMN IF NOT EXISTS held boolean NOT NULL DEFAULT false;

-- Rows the earlier system wrote have no next attempt time, and a NULL time is never due.
ALTER TABLE market_inventory_snapshots ALTER COLUMN next_attempt_at SET DEFAULT now();
UPDATE market_inventory_snapshots SET next_attempt_at = now() WHERE next_attempt_at IS NULL;

-- The same functions, every call in them schema-qualified, so that no other role's function
-- can stand in for one (CVE-2018-1058).
CREATE OR REPLACE FUNCTION snapctl_iso(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT pg_catalog.to_char(ts AT TIME ZONE 'UTC',
		CASE WHEN pg_catalog.date_part('microseconds', ts AT TIME ZONE 'UTC')::bigint
			  OPERATOR(pg_catalog.%) 1000000 OPERATOR(pg_catalog.=) 0
		     THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'
		     ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END)
$$;

CREATE OR REPLACE FUNCTION snapctl_object_id() RETURNS char(24)
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
	SELECT pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.floor(pg_catalog.date_part('epoch',
			pg_catalog.clock_timestamp()))::bigint), 8, '0')
	       OPERATOR(pg_catalog.||)
	       pg_catalog.substr(pg_catalog.md5(pg_catalog.gen_random_uuid()::text), 1, 16)
$$;
