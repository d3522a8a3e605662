#!/usr/bin/env bash
# The scale benchmark of issue 13: snapctl end to end at SMALL and BIG bookings on one
# throwaway PostgreSQL cluster and MongoDB-wire server, each figure a ratio measured in this
# one run (never a timed test). Per size:
#   1. `upsert --all` into an empty table vs bench/reference.sql, an INSERT ... SELECT written
#      from SPEC section 3 independently of snapctl's statement, checked to give the same
#      content; median of RUNS;
#   2. `sync-all` of every snapshot (all due, no listing yet) vs bench/bulk.c upserting the
#      very documents sync-all wrote, by booking_id, in unordered bulks of the same BATCH, on
#      the same server, each timed twice (floor, snapctl, snapctl, floor; the means); time
#      per listing and peak RSS of both;
# at SMALL: 3. cold `upsert ID` (a new process per booking, each creating its snapshot) vs
#      bench/floors/pg_floor_read.c (../shared/bench), p50 of COLD runs each;
# at BIG: 4. `reconcile` over everything published: nothing changed (rows and listings
#      written, median time of RUNS vs upsert --all's), then new readings at 1% of the
#      locations (written vs the bookings there); 5. `cleanup` of HALF finished snapshots
#      (BIG / 2), their listings still there.
# The server is SNAPCTL_TEST_MONGO_SERVER (default here: java, mongo-java-server, whose
# writes cost what MongoDB's do in kind; ferretdb is linear too but slower) or a real mongod
# with SNAPCTL_TEST_MONGO_URI. The last run on this machine: bench/RESULTS.md.
# Usage: bench/scale.sh [SMALL [BIG [RUNS [BATCH [COLD]]]]]  (defaults: 20000 200000 3 500 200)
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-20000} big=${2:-200000} runs=${3:-3} batch=${4:-500} cold=${5:-200}
export SNAPCTL_TEST_MONGO_SERVER=${SNAPCTL_TEST_MONGO_SERVER:-java}

. bench/lib.sh
bench_stack bench_bulk bench_rss bench_spawn bench_pg_floor_read
bulk=$build/bench/bench_bulk rss=$build/bench/bench_rss
spawn=$build/bench/bench_spawn floor=$build/bench/bench_pg_floor_read
coll=("$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings)
out=$tmp/figures

ccols="booking_id, farmer_id, vendor_id, location_id, crop_type, grade, quantity_kg,
start_date, end_date, duration_days, booking_status, inspection_id, inspection_status,
quality_score, freshness, visual_defects, shelf_life_days, sensors, sensor_summary,
pest_events, has_pest_alerts, pest_count, certificates, is_certified, certification_types,
snap_metadata - 'last_updated', snapshot_version, status"
content() {
	sql -c "SELECT md5(string_agg(concat_ws('|', $ccols), E'\n' ORDER BY booking_id))
	        FROM market_inventory_snapshots"
}
figure() { printf '%s\n' "$*" | tee -a "$out" >&2; }

upsert_all() {
	local n=$1 r
	echo "bench: $n: upsert --all vs the reference, $runs runs each" >&2
	: >"$tmp/ref" && : >"$tmp/up"
	for r in $(seq "$runs"); do
		against_reference bench/reference.sql -v pest_limit=50
	done
	up_ms=$(median <"$tmp/up")
	figure "upsert --all, $n bookings, median ms: snapctl $up_ms  reference $(median <"$tmp/ref")" \
		" ratio $(ratio "$up_ms" "$(median <"$tmp/ref")")  (target <= 1.3)"
}

# Every snapshot due, at a new version, and no listing.
unpublished() {
	sql -c "UPDATE market_inventory_snapshots SET snapshot_version = snapshot_version + 1,
	        status = 'ready_to_publish', next_attempt_at = now(), market_listing_id = NULL,
	        published_version = NULL"
	"$bulk" drop "${coll[@]}"
	"$snapctl" --quiet init-db
	sql -c "VACUUM ANALYZE"
}

# timed_floor, timed_sync: one timed run of each, its ms and peak RSS appended to $tmp/f and
# $tmp/s. The floor replays $tmp/docs into an empty collection; snapctl publishes everything.
# mean_peak FILE: the mean ms and the highest peak RSS of those lines.
mean_peak() { awk '{ t += $1; if ($2 > k) k = $2 } END { print int(t / NR), k }' "$1"; }
timed_floor() {
	"$bulk" drop "${coll[@]}" && "$snapctl" --quiet init-db
	"$rss" "$bulk" load "${coll[@]}" "$batch" <"$tmp/docs" >>"$tmp/f"
	[ "$("$bulk" dump "${coll[@]}" | wc -l)" = "$docs" ] ||
		{ echo "bench: the floor lost documents" >&2; exit 1; }
}
timed_sync() {
	unpublished
	"$rss" "$snapctl" --quiet sync-all --batch-size "$batch" >>"$tmp/s"
	[ "$("$bulk" dump "${coll[@]}" | wc -l)" = "$docs" ] ||
		{ echo "bench: sync-all wrote another number of listings" >&2; exit 1; }
}
sync_all() {
	local n=$1 ms kb fms fkb docs
	echo "bench: $n: sync-all vs bulk upserts" >&2
	# An untimed run first, whose listings the floor writes; it also starts warming the
	# server up. mongo-java-server gets faster for minutes as it compiles its hot paths, so
	# each side is timed twice, in the order floor, snapctl, snapctl, floor, and each figure
	# is the mean of its two: neither side runs on a warmer server. Timed first, once each,
	# snapctl paid for the warming up (its C2 compiler took a fifth of the CPU samples of a
	# 20,000 run on two cores) and the floor after it did not.
	unpublished
	"$snapctl" --quiet sync-all --batch-size "$batch"
	"$bulk" dump "${coll[@]}" >"$tmp/docs"
	docs=$(wc -l <"$tmp/docs")
	: >"$tmp/f" && : >"$tmp/s"
	timed_floor && timed_sync && timed_sync && timed_floor
	read -r fms fkb < <(mean_peak "$tmp/f")
	read -r ms kb < <(mean_peak "$tmp/s")
	# Back to what sync-all leaves, for what follows.
	unpublished
	"$snapctl" --quiet sync-all --batch-size "$batch"
	figure "sync-all, $n bookings ($docs listings), mean of 2, ms: snapctl $ms  bulk $fms" \
		" ratio $(ratio "$ms" "$fms")  (target <= 1.3);" \
		"µs per listing: $(ratio $((ms * 1000)) "$docs")  peak RSS KiB: snapctl $kb  bulk $fkb"
	echo "$(ratio $((ms * 1000)) "$docs") $kb" >"$tmp/sync.$n"
}

cold_upsert() {
	echo "bench: cold upsert ID, $cold each" >&2
	sql -c "CREATE TABLE IF NOT EXISTS floor_r (k text PRIMARY KEY, v jsonb)"
	cold_ids
	forget_cold -c "TRUNCATE floor_r"
	read -r s50 s90 < <("$spawn" "$tmp/ids" "$snapctl" --quiet upsert '{}')
	forget_cold -c "TRUNCATE floor_r"
	read -r f50 f90 < <("$spawn" "$tmp/ids" "$floor" '{}')
	figure "cold upsert ID, p50 (p90) ms: snapctl $s50 ($s90)  pg_floor_read $f50 ($f90)" \
		" ratio $(ratio "$s50" "$f50")  (target <= 1.3)"
}

# timed_reconcile: a reconcile run, timed; sets ms, and rows and docs: what it wrote of
# snapshots and listings.
timed_reconcile() {
	local t0 t1
	remember
	t0=$(now_ms) && "$snapctl" --quiet reconcile && t1=$(now_ms)
	ms=$((t1 - t0)) rows=$(rows_written) docs=$("$bulk" since "${coll[@]}" "$t0")
}
reconcile() {
	local n=$1 ms rows docs locations changed affected r written=0
	echo "bench: $n: reconcile, nothing changed $runs times, then 1% of locations" >&2
	sql -c "VACUUM ANALYZE"
	: >"$tmp/rec"
	for r in $(seq "$runs"); do
		timed_reconcile
		echo "$ms" >>"$tmp/rec"
		written=$((written + rows + docs))
	done
	ms=$(median <"$tmp/rec")
	figure "reconcile, $n bookings, nothing changed, median ms of $runs: $ms; rows and" \
		"listings written in all: $written  ratio to upsert --all $(ratio "$ms" "$up_ms")" \
		" (target 0 written, <= 0.5)"
	locations=$(sql -c "SELECT count(DISTINCT location_id) FROM storage_bookings")
	changed=$(((locations + 99) / 100))
	affected=$(touch_locations "$changed" 31.5)
	timed_reconcile
	figure "reconcile, $n bookings, new readings at $changed of $locations locations:" \
		"$ms ms, $rows rows and $docs listings written, $affected published bookings there" \
		" (target: listings written = bookings there)"
}

cleanup() {
	local half=$(($1 / 2)) t0 t1 ms before
	echo "bench: cleanup of $half finished snapshots" >&2
	sql -c "UPDATE market_inventory_snapshots SET status = 'withdrawn',
	        status_changed_at = now() - interval '100 days'
	        WHERE booking_id IN (SELECT booking_id FROM market_inventory_snapshots
	        WHERE status = 'published' ORDER BY booking_id LIMIT $half)" -c "VACUUM ANALYZE"
	before=$("$bulk" dump "${coll[@]}" | wc -l)
	t0=$(now_ms) && "$snapctl" --quiet cleanup && t1=$(now_ms)
	ms=$((t1 - t0))
	figure "cleanup of $half finished snapshots and their listings: $ms ms" \
		"($(ratio $((ms * 1000)) "$half") µs each), listings $before -> $("$bulk" dump "${coll[@]}" | wc -l)," \
		"$(sql -c "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'withdrawn'") finished left"
}

server=$SNAPCTL_TEST_MONGO_SERVER
[ -z "${SNAPCTL_TEST_MONGO_URI:-}" ] || server="that of SNAPCTL_TEST_MONGO_URI" # never its secrets
figure "snapctl scale benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB;" \
	"PostgreSQL $(sql -c "SHOW server_version"), MongoDB-wire server: $server; batch $batch"
load_bookings "$small"
upsert_all "$small"
cold_upsert
sync_all "$small"
load_bookings "$big"
upsert_all "$big"
sync_all "$big"
read -r us_small kb_small <"$tmp/sync.$small"
read -r us_big kb_big <"$tmp/sync.$big"
figure "sync-all, $big vs $small: time per listing ratio $(ratio "$us_big" "$us_small") (target <= 1.2)," \
	"peak RSS ratio $(ratio "$kb_big" "$kb_small") (target <= 1.10)"
reconcile "$big"
cleanup "$big"
echo
cat "$out"
