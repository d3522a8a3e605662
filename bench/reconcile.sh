#!/usr/bin/env bash
# The benchmark of issue 4, in one run on one throwaway PostgreSQL cluster and MongoDB-wire
# server (SNAPCTL_TEST_MONGO_URI=URI uses a real mongod instead of FerretDB): reconcile over
# the snapshots of BOOKINGS bookings, all published, next to `upsert --all` of the same
# bookings into an empty table (median of RUNS):
#   (a) nothing changed: time, rows and documents written;
#   (b) new sensor readings at 1% of the locations: time, rows and documents written, and the
#       bookings at those locations (the documents written must be exactly those).
# The snapshots are marked published in PostgreSQL and their listings inserted as sync-all
# would have written them (bench/listings.c load, plain inserts: sync-all's filtered upserts
# take FerretDB about 20 minutes for 20,000), with updated_at at the epoch, so that a listing
# reconcile writes is one with a later updated_at. Reconcile counts each batch's listings (a
# missing one is published again, SPEC 9): on MongoDB an index-only count, on FerretDB 1.24 a
# read of the whole collection (no filter but plain equality is pushed down to PostgreSQL),
# about 9 s of (a) at 17,000 listings here. A changed one is upserted.
# Usage: bench/reconcile.sh [BOOKINGS [RUNS]]     (defaults: 20000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
bookings=${1:-20000} runs=${2:-3}

. bench/lib.sh
bench_stack bench_bulk bench_listings
bulk=$build/bench/bench_bulk
# Listings written since the load: updated_at after the epoch.
docs() {
	"$bulk" dump "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings |
		grep -vc '"updated_at" : { "$date" : { "$numberLong" : "0" } }' || true
}
# All snapshots published (at their version, under an ObjectId), their listings loaded, cursor at 0.
publish_all() {
	"$bulk" drop "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings
	"$snapctl" --quiet init-db
	sql -c "UPDATE snapctl_reconcile_cursor SET position = '00000000-0000-0000-0000-000000000000'"
	mark_published
}

load_bookings "$bookings"
locations=$(sql -c "SELECT count(DISTINCT location_id) FROM storage_bookings")
changed=$(((locations + 99) / 100))

for r in $(seq "$runs"); do
	echo "bench: run $r of $runs" >&2
	sql -c "TRUNCATE market_inventory_snapshots" -c "CHECKPOINT"
	t0=$(now_ms) && "$snapctl" --quiet upsert --all && t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/upsert"
	publish_all
	published=$(sql -c "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'published'")
	remember
	t0=$(now_ms) && "$snapctl" --json reconcile >"$tmp/a.json" && t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/a" && rows_written >>"$tmp/a.rows" && docs >>"$tmp/a.docs"
	grep -q "\"checked\":$published,\"unchanged\":$published," "$tmp/a.json" ||
		{ echo "bench: (a) did not check every snapshot: $(cat "$tmp/a.json")" >&2; exit 1; }
	# (b): a new reading on every sensor of 1% of the locations
	affected=$(touch_locations "$changed" $((30 + r)))
	remember
	t0=$(now_ms) && "$snapctl" --json reconcile >"$tmp/b.json" && t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/b" && rows_written >>"$tmp/b.rows" && docs >>"$tmp/b.docs"
	echo "$affected" >>"$tmp/b.affected"
done
up=$(median <"$tmp/upsert") a=$(median <"$tmp/a") b=$(median <"$tmp/b")
cat <<EOT
snapctl reconcile benchmark: $bookings bookings ($published published), $locations locations,
  $(nproc) cores, PostgreSQL $(sql -c "SHOW server_version"), median of $runs runs
upsert --all (reference):    $up ms
(a) no change:               $a ms, $(sort -n "$tmp/a.rows" | tail -1) rows and $(sort -n "$tmp/a.docs" | tail -1) documents written  ratio $(ratio "$a" "$up")  (target 0 documents, <= 0.5)
(b) 1% of locations ($changed):  $b ms, $(sort -n "$tmp/b.rows" | tail -1) rows and $(sort -n "$tmp/b.docs" | tail -1) documents written, $(tail -1 "$tmp/b.affected") bookings affected  ratio $(ratio "$b" "$up")  (target documents = affected, <= 1.5)
EOT
