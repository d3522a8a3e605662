#!/usr/bin/env bash
# The benchmark of issue 2, in one run on one throwaway cluster (scripts/pg-cluster.sh):
#   1. cold `snapctl upsert ID` (a new process per booking) vs bench/floor.c, a process that
#      connects with libpq and runs one single-row INSERT ... ON CONFLICT into the snapshot
#      table: p50 of COLD runs each, every run creating a snapshot;
#   2. `snapctl upsert --all` over BOOKINGS bookings vs one hand-written INSERT ... SELECT of
#      the same snapshots (the same aggregation CTEs, each part joined once, no batches, no
#      change check, into an empty table), checked to give identical content; median of RUNS;
#   3. `snapctl upsert --all` again with no source change: rows written and time.
# Usage: bench/run.sh [BOOKINGS [RUNS [COLD]]]     (defaults: 20000 3 200)
set -euo pipefail
cd "$(dirname "$0")/.."
bookings=${1:-20000} runs=${2:-3} cold=${3:-200}

# init-db creates the listing indexes too: the stack has a MongoDB-wire server, unused after.
. bench/lib.sh
bench_stack bench_floor bench_spawn bench_bulk
spawn=$build/bench/bench_spawn floor=$build/bench/bench_floor

load_bookings "$bookings"

cols="booking_id, farmer_id, vendor_id, location_id, crop_type, grade, quantity_kg, start_date,
end_date, duration_days, booking_status, inspection_id, inspection_status, quality_score,
freshness, visual_defects, shelf_life_days, sensors, sensor_summary, pest_events,
has_pest_alerts, pest_count, certificates, is_certified, certification_types"
# The reference: lib/sql/upsert.sql's aggregation over every booking, then a plain INSERT of
# everything it builds (no batches, no change check, no result rows), into an empty table.
{
	echo "SET jit = off;"
	# Every CTE before keyed verbatim; then content, from the bookings and inspections
	# directly, with keyed's hash inline: each part joined once.
	sed -n '/^WITH input AS (/,/^keyed AS (/p' lib/sql/upsert.sql | sed '$d' | sed '/^--/d' |
		sed '/^WITH input AS (/,/^),$/c\WITH input AS (SELECT id, 0 AS ord FROM storage_bookings),'
	hash=$(sed -n '/^keyed AS (/,/AS content_hash$/p' lib/sql/upsert.sql | sed '1,3d' |
		sed -e 's/\bb\./k./g' -e 's/AS content_hash$//')
	sed -n '/^content AS (/,/^),$/p' lib/sql/upsert.sql |
		sed -e '/LEFT JOIN cur ON/d' -e '/WHERE cur.booking_id IS NULL/d' \
			-e 's/cur.snapshot_version AS seen_version/NULL::bigint AS seen_version/' \
			-e 's/FROM keyed k/FROM bk k LEFT JOIN crop_inspections ci ON ci.id = k.ai_inspection_id/' \
			-e 's/k\.inspected/ci.id IS NOT NULL/' \
			-e 's/k\.\(freshness_score\|freshness\|visual_defects\|shelf_life_days\)/ci.\1/g' \
			-e '$s/^),$/)/' |
		awk -v h="$hash" '/^\t       k.content_hash,$/ { print h " AS content_hash,"; next } 1'
	echo "INSERT INTO market_inventory_snapshots ($cols, snap_metadata, content_hash,"
	echo "	snapshot_version, status, status_changed_at, attempts, next_attempt_at, created_at,"
	echo "	updated_at)"
	echo "SELECT $cols, jsonb_build_object('is_certified', is_certified,"
	echo "	'certification_types', to_jsonb(certification_types), 'pest_alert_active',"
	echo "	has_pest_alerts, 'sensor_health', sensor_health, 'last_updated', snapctl_iso(now()),"
	echo "	'buyer_contacts', '[]'::jsonb, 'special_notes', ''), content_hash, 1,"
	echo "	'ready_to_publish', now(), 0, now(), now(), now() FROM content;"
} | sed 's/\$2/50/g' >"$tmp/reference.sql"
ccols="$cols, snap_metadata - 'last_updated', content_hash"
content() {
	sql -c "SELECT md5(string_agg(concat_ws('|', $ccols),
	        E'\n' ORDER BY booking_id)) FROM market_inventory_snapshots"
}

echo "bench: upsert --all vs INSERT ... SELECT, $runs runs each" >&2
for r in $(seq "$runs"); do
	against_reference "$tmp/reference.sql"
	remember
	t0=$(now_ms) && "$snapctl" --quiet upsert --all && t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/rerun"
	rows_written >>"$tmp/written"
done

echo "bench: cold single upserts, $cold each" >&2
cold_ids
forget_cold
read -r snap_p50 snap_p90 < <("$spawn" "$tmp/ids" "$snapctl" --quiet upsert '{}')
forget_cold
read -r floor_p50 floor_p90 < <("$spawn" "$tmp/ids" "$floor" '{}')
forget_cold
"$snapctl" --quiet upsert - <"$tmp/ids"
# And the unchanged path the booking service hits on a repeated call.
read -r again_p50 _ < <("$spawn" "$tmp/ids" "$snapctl" --quiet upsert '{}')

ref=$(median <"$tmp/ref") first=$(median <"$tmp/up") rerun=$(median <"$tmp/rerun")
written=$(sort -n "$tmp/written" | tail -1)
cat <<EOT
snapctl benchmark: $bookings bookings, PostgreSQL $(sql -c "SHOW server_version"), $(nproc) cores
cold upsert ID, p50 (p90) ms:  snapctl $snap_p50 ($snap_p90)  floor $floor_p50 ($floor_p90)  ratio $(ratio "$snap_p50" "$floor_p50")  (target <= 1.5)
  same call again, unchanged:  snapctl $again_p50
upsert --all, median ms:       snapctl $first  INSERT ... SELECT $ref  ratio $(ratio "$first" "$ref")  (target <= 1.3)
re-run, nothing changed:       $rerun ms, $written rows written  ratio to first run $(ratio "$rerun" "$first")  (target 0 rows, <= 0.5)
EOT
