# init-db upgrades in place the table the earlier Python system created, losing no row.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db
demo_data 10 2

# Exactly the earlier system's table: SPEC section 3 columns, freshness and status
# varchar(32), two legacy-only columns, no default on id, naive UTC write times, two unique
# indexes on booking_id and four plain ones.
psql -XAq -v ON_ERROR_STOP=1 <<'SQL'
CREATE TABLE market_inventory_snapshots (
	id uuid PRIMARY KEY,
	booking_id uuid NOT NULL,
	farmer_id uuid, vendor_id uuid, location_id uuid,
	crop_type varchar(120), grade varchar(16), quantity_kg integer,
	start_date timestamptz, end_date timestamptz, duration_days integer,
	inspection_id uuid, inspection_status varchar(32), quality_score numeric(5, 2),
	freshness varchar(32), visual_defects text, shelf_life_days integer,
	sensors jsonb, sensor_summary jsonb, pest_events jsonb, has_pest_alerts boolean,
	pest_count integer, certificates jsonb, is_certified boolean,
	certification_types varchar[], status varchar(32), market_listing_id varchar(64),
	published_at timestamp, last_synced_at timestamp, snap_metadata jsonb,
	created_at timestamp, updated_at timestamp,
	market_listing_url text, next_sync_at timestamptz
);
CREATE UNIQUE INDEX ix_market_inventory_snapshots_booking_id ON market_inventory_snapshots (booking_id);
CREATE UNIQUE INDEX market_inventory_snapshots_booking_id_uq ON market_inventory_snapshots (booking_id);
CREATE INDEX ix_mis_farmer_id ON market_inventory_snapshots (farmer_id);
CREATE INDEX ix_mis_location_id ON market_inventory_snapshots (location_id);
CREATE INDEX ix_mis_status ON market_inventory_snapshots (status);
CREATE INDEX ix_mis_created_at ON market_inventory_snapshots (created_at);
-- Three bookings the platform still has, one it lost.
INSERT INTO market_inventory_snapshots (id, booking_id, farmer_id, crop_type, freshness,
	quality_score, sensors, status, market_listing_id, published_at, created_at, updated_at,
	market_listing_url, next_sync_at)
SELECT md5('legacy' || b.id)::uuid, b.id, b.farmer_id, 'legacy ' || b.crop_type,
       rpad('fresh', 32, '!'), 0.87, '{"temperature": {"value": 4}}', 'published', '1',
       '2025-06-01 12:00:00', '2025-06-01 12:00:00', '2025-06-02 08:30:00.25',
       'https://market.example/l/' || b.id, '2025-06-03 00:00:00+00'
FROM (SELECT * FROM storage_bookings ORDER BY id LIMIT 3) b;
INSERT INTO market_inventory_snapshots (id, booking_id, status, created_at)
VALUES ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000bb',
	'failed', '2024-01-01 00:00:00');
SQL
legacy_rows() {
	q "SELECT string_agg(concat_ws('|', id, booking_id, crop_type, freshness, quality_score,
	   sensors, status, market_listing_id, market_listing_url, next_sync_at), E'\n'
	   ORDER BY booking_id) FROM market_inventory_snapshots"
}
rows=$(legacy_rows)
columns() {
	q "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
	   FROM information_schema.columns WHERE table_name = 'market_inventory_snapshots'"
}
cols=$(columns)

# --check reports and changes nothing.
expect 0 init-db --check
assert_eq "check" "would apply schema migration 1: market_inventory_snapshots with versions, leases and retries (upgrading the earlier system's table in place)
would apply schema migration 2: listing ids and due-work indexes
would apply schema migration 3: reconcile cursor and finished-snapshot index
would apply schema migration 4: last run of each job
would apply schema migration 5: operator holds, due legacy rows, qualified functions
would apply schema migration 6: reconcile batches in flight
would apply schema migration 7: index of the reconcile walk
would create listing index booking_id_1 on {booking_id: 1}, unique
would create listing index farmer_id_1 on {farmer_id: 1}
schema version 0 (this snapctl: 7)" "$OUT"
assert_eq "check changed nothing" "$cols" "$(columns)"
assert_eq "no migrations table after check" "" \
	"$(q "SELECT to_regclass('snapctl_schema_migrations')")"

expect 0 --json init-db
assert_eq "upgrade" '{"check":false,"schema_version":7,"target_version":7,"migrations":[{"version":1,"description":"market_inventory_snapshots with versions, leases and retries","legacy_upgrade":true},{"version":2,"description":"listing ids and due-work indexes","legacy_upgrade":false},{"version":3,"description":"reconcile cursor and finished-snapshot index","legacy_upgrade":false},{"version":4,"description":"last run of each job","legacy_upgrade":false},{"version":5,"description":"operator holds, due legacy rows, qualified functions","legacy_upgrade":false},{"version":6,"description":"reconcile batches in flight","legacy_upgrade":false},{"version":7,"description":"index of the reconcile walk","legacy_upgrade":false}],"source_indexes_created":[],"source_indexes_missing":["compliance_certificates (vendor_id)","iot_sensors (location_id)","pest_detections (location_id, detected_at)","sensor_readings (sensor_id, reading_time)","storage_bookings (location_id, id)","storage_certificates (booking_id)"],"listing_indexes_created":["booking_id_1","farmer_id_1"],"duplicate_listings":[]}' "$OUT"

# No row lost, nothing rewritten but the types.
assert_eq "rows kept" "$rows" "$(legacy_rows)"
assert_eq "naive times were UTC" "2025-06-01 12:00:00+00|2025-06-02 08:30:00.25+00|2024-01-01 00:00:00+00" \
	"$(q "SELECT concat_ws('|', (SELECT min(published_at) FROM market_inventory_snapshots),
	   (SELECT max(updated_at) FROM market_inventory_snapshots),
	   (SELECT min(created_at) FROM market_inventory_snapshots))" | sed 's/+00:00/+00/g')"
assert_eq "types" "timestamp with time zone|character varying|120|1" \
	"$(q "SELECT concat_ws('|', (SELECT data_type FROM information_schema.columns
	      WHERE table_name = 'market_inventory_snapshots' AND column_name = 'created_at'),
	   data_type, character_maximum_length,
	   (SELECT count(DISTINCT snapshot_version) FROM market_inventory_snapshots))
	   FROM information_schema.columns
	   WHERE table_name = 'market_inventory_snapshots' AND column_name = 'freshness'")"
assert_eq "one unique index on booking_id" "1" \
	"$(q "SELECT count(*) FROM pg_index i JOIN pg_attribute a
	      ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
	   WHERE i.indrelid = 'market_inventory_snapshots'::regclass AND i.indisunique
	     AND a.attname = 'booking_id'")"
assert_eq "plain indexes kept" "4" \
	"$(q "SELECT count(*) FROM pg_indexes WHERE tablename = 'market_inventory_snapshots'
	   AND indexname LIKE 'ix_mis_%'")"
# The earlier system left no next attempt time, and a NULL time is never due.
assert_eq "every row has a next attempt time" 0 \
	"$(q "SELECT count(*) FROM market_inventory_snapshots WHERE next_attempt_at IS NULL")"
assert_eq "id has a default" "t" \
	"$(q "SELECT column_default IS NOT NULL FROM information_schema.columns
	   WHERE table_name = 'market_inventory_snapshots' AND column_name = 'id'")"

# The upgraded rows take upserts: content rewritten, id and created_at kept, a new version.
B=$(booking 0)
expect 0 upsert "$B"
assert_eq "legacy row updated" "$B updated (ready_to_publish, version 2)" "$OUT"
assert_eq "legacy id and created_at kept" "$(q "SELECT md5('legacy' || '$B')::uuid")|2025-06-01 12:00:00+00" \
	"$(q "SELECT id || '|' || created_at FROM market_inventory_snapshots WHERE booking_id = '$B'")"
expect 0 upsert --all
assert_eq "all" "7 created, 2 updated, 1 unchanged" "$OUT"
assert_eq "orphan legacy row kept" "1" \
	"$(q "SELECT count(*) FROM market_inventory_snapshots
	   WHERE booking_id = '00000000-0000-0000-0000-0000000000bb'")"

# Again: nothing to do.
expect 0 init-db --quiet
assert_eq "idempotent" "" "$OUT"
expect 0 init-db
assert_eq "second run" "schema version 7 (this snapctl: 7)" "$OUT"
echo ok
