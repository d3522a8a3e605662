# Sourced by the bench scripts from the top of the tree: `bench_stack TARGETS...` builds snapctl
# and the given helper targets in $build (SNAPCTL_BENCH_BUILD, default build: another lets the
# tree change while a benchmark runs), starts a throwaway PostgreSQL cluster and MongoDB-wire
# server (scripts/pg-cluster.sh, scripts/mongo-server.sh; SNAPCTL_TEST_MONGO_URI=URI uses a
# real mongod instead) and removes them on exit; $tmp is a private directory. Then helpers.
bench_stack() {
	build=$PWD/${SNAPCTL_BENCH_BUILD:-build}
	scripts/setup.sh "$build" >/dev/null
	cmake --build "$build" --target snapctl "$@" >/dev/null
	snapctl=$build/cli/snapctl
	tmp=$(mktemp -d)
	. scripts/stack.sh
	stack_up snapbench 'rm -rf "$tmp"'
	export SNAPCTL_MONGO_DB=snapctl_bench
}
sql() { PGOPTIONS="-c client_min_messages=warning" psql -XAtq -v ON_ERROR_STOP=1 "$@"; }
# cold_ids: $cold bookings, in an order of their own, into $tmp/ids; forget_cold [ARGS]: their
# snapshots deleted (every timed cold run creates them), then sql ARGS, then statistics.
cold_ids() {
	sql -c "SELECT id FROM storage_bookings ORDER BY md5(id::text) LIMIT $cold" >"$tmp/ids"
}
forget_cold() {
	sql -c "DELETE FROM market_inventory_snapshots WHERE booking_id IN
	        (SELECT id FROM storage_bookings ORDER BY md5(id::text) LIMIT $cold)" "$@" \
		-c "VACUUM ANALYZE"
}
# load_bookings N: the bench database made again with N demo bookings (sql/demo_data.sql),
# snapctl's schema and the source indexes, statistics taken; no snapshot, no listing (they
# are dropped with bench_bulk, a target the script builds).
load_bookings() {
	echo "bench: loading $1 bookings" >&2
	sql -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public"
	sql -f sql/source_schema.sql
	sql -v bookings="$1" -f sql/demo_data.sql
	"$build/bench/bench_bulk" drop "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings
	"$snapctl" --quiet init-db --source-indexes
	sql -c "VACUUM ANALYZE"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Every snapshot as sync-all leaves it (lib/src/sync.c, ACTION): published at its version under
# an ObjectId, or withdrawn or completed; then the listings of the published ones inserted by
# bench/listings.c (build target bench_listings).
mark_published() {
	sql -c "UPDATE market_inventory_snapshots SET status = CASE
	        WHEN lower(booking_status) IN ('cancelled', 'rejected') THEN 'withdrawn'
	        WHEN lower(booking_status) = 'completed' OR end_date < now() THEN 'completed'
	        ELSE 'published' END, status_changed_at = now(),
	        published_version = snapshot_version, published_at = now(), last_synced_at = now(),
	        listing_oid = coalesce(listing_oid, snapctl_object_id())" \
		-c "UPDATE market_inventory_snapshots SET market_listing_id = listing_oid
		    WHERE status = 'published'" -c "VACUUM ANALYZE"
	"$build/bench/bench_listings" load
}
# Rows of the snapshot table written since remember(): new or changed physical identity.
remember() {
	sql -c "DROP TABLE IF EXISTS bench_before" -c "CREATE TABLE bench_before AS
	        SELECT ctid AS c, xmin::text AS x FROM market_inventory_snapshots"
}
rows_written() {
	sql -c "SELECT count(*) FROM market_inventory_snapshots s
	        LEFT JOIN bench_before b ON b.c = s.ctid AND b.x = s.xmin::text WHERE b.c IS NULL"
}
# touch_locations N VALUE: a new reading of VALUE on every sensor of the first N locations;
# prints how many published snapshots are there (those reconcile must write, no others).
touch_locations() {
	sql -c "INSERT INTO sensor_readings SELECT i.id, $2, 'C', now(), false
	        FROM iot_sensors i WHERE i.location_id IN (SELECT DISTINCT location_id
	        FROM storage_bookings ORDER BY location_id LIMIT $1)"
	sql -c "SELECT count(*) FROM market_inventory_snapshots s
	        WHERE s.status = 'published' AND s.location_id IN (SELECT DISTINCT location_id
	        FROM storage_bookings ORDER BY location_id LIMIT $1)
	        AND EXISTS (SELECT 1 FROM iot_sensors i WHERE i.location_id = s.location_id)"
}
fresh() { sql -c "TRUNCATE market_inventory_snapshots" -c "CHECKPOINT"; }
# against_reference SQL_FILE [PSQL_ARGS...]: from an empty snapshot table, the reference
# statement, then `snapctl upsert --all`, their times appended to $tmp/ref and $tmp/up; stops
# the benchmark unless both give the same content() (each script says which columns count).
against_reference() {
	local file=$1 ref t0 t1
	shift
	fresh
	t0=$(now_ms) && sql "$@" -f "$file" && t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/ref"
	ref=$(content)
	fresh
	t0=$(now_ms) && "$snapctl" --quiet upsert --all && t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/up"
	[ "$(content)" = "$ref" ] || { echo "bench: content differs from the reference" >&2; exit 1; }
}
