#!/usr/bin/env bash
# The benchmark of issue 3, in one run on one throwaway PostgreSQL cluster and MongoDB-wire
# server (scripts/pg-cluster.sh, scripts/mongo-server.sh; SNAPCTL_TEST_MONGO_URI=URI uses a
# real mongod instead of FerretDB):
#   1. `snapctl sync-all` of the snapshots of BOOKINGS bookings, all ready, into an empty
#      collection, next to bench/bulk.c loading the very documents sync-all wrote (dumped
#      from MongoDB) as unordered bulk upserts by booking_id, BATCH per bulk, into an empty
#      collection with the same indexes; median of RUNS, each from scratch;
#   2. peak RSS of sync-all at BOOKINGS and at RSS_BOOKINGS bookings;
#   3. with DUE_BOOKINGS: peak RSS of `sync-all --limit N` when DUE_BOOKINGS bookings are due,
#      N the listings of RSS_BOOKINGS: memory must follow the batch, not the due set.
# RUNS=0 skips 1 (at 20,000 it takes about 50 minutes on FerretDB).
# FerretDB 1.24 reads the whole collection for every filtered write (its query on _jsonb has
# the key as a parameter: no index applies), so its times grow with the square of the
# collection; the issue's 20,000 and 200,000 are for a real mongod.
# Usage: bench/sync.sh [BOOKINGS [RUNS [BATCH [RSS_BOOKINGS [DUE_BOOKINGS]]]]]
#        (defaults: 2000 1 500 10000, no DUE_BOOKINGS)
set -euo pipefail
cd "$(dirname "$0")/.."
bookings=${1:-2000} runs=${2:-1} batch=${3:-500} rss_bookings=${4:-10000} due_bookings=${5:-}

. bench/lib.sh
bench_stack bench_bulk bench_rss
bulk=$build/bench/bench_bulk rss=$build/bench/bench_rss

# load N: a database of N bookings, their snapshots ready, no listings.
load() {
	load_bookings "$1"
	"$snapctl" --quiet upsert --all
	sql -c "VACUUM ANALYZE"
}
# empty: every snapshot ready again, under a new version, and no listings.
empty() {
	sql -c "UPDATE market_inventory_snapshots SET snapshot_version = snapshot_version + 1,
	        status = 'ready_to_publish', next_attempt_at = now(), market_listing_id = NULL"
	"$bulk" drop "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings
	"$snapctl" --quiet init-db
}

server="FerretDB 1.24 on PostgreSQL"
[ -z "${SNAPCTL_TEST_MONGO_URI:-}" ] || server="that of SNAPCTL_TEST_MONGO_URI" # never its secrets
echo "snapctl sync-all benchmark: batch $batch, $(nproc) cores,"
echo "  PostgreSQL $(sql -c "SHOW server_version"), MongoDB-wire server: $server"

if ((runs > 0)); then
	load "$bookings"
	echo "bench: sync-all vs bulk upserts, $runs runs each" >&2
	for r in $(seq "$runs"); do
		empty
		read -r ms kb < <("$rss" "$snapctl" --quiet sync-all --batch-size "$batch")
		echo "$ms" >>"$tmp/sync" && echo "$kb" >>"$tmp/rss"
		"$bulk" dump "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings >"$tmp/docs"
		empty
		read -r ms _ < <("$rss" "$bulk" load "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" \
			market_listings "$batch" <"$tmp/docs")
		echo "$ms" >>"$tmp/floor"
		[ "$("$bulk" dump "$SNAPCTL_MONGO_URI" "$SNAPCTL_MONGO_DB" market_listings | wc -l)" = \
			"$(wc -l <"$tmp/docs")" ] || { echo "bench: the floor lost documents" >&2; exit 1; }
	done
	docs=$(wc -l <"$tmp/docs") sync=$(median <"$tmp/sync") floor=$(median <"$tmp/floor")
	rss_small=$(median <"$tmp/rss")
	echo "sync-all of $bookings bookings ($docs listings), median ms:" \
		"snapctl $sync  bulk upserts $floor  ratio $(ratio "$sync" "$floor")  (target <= 1.3)"
fi

load "$rss_bookings"
echo "bench: sync-all of $rss_bookings for its peak RSS" >&2
read -r rss_ms rss_big < <("$rss" "$snapctl" --quiet sync-all --batch-size "$batch")
rss_docs=$(sql -c "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'published'")
if ((runs > 0)); then
	echo "peak RSS, KiB: $bookings bookings $rss_small  $rss_bookings bookings $rss_big" \
		"($rss_ms ms)  ratio $(ratio "$rss_big" "$rss_small")  (target <= 1.10)"
else
	echo "peak RSS, KiB: $rss_bookings bookings ($rss_docs listings) $rss_big ($rss_ms ms)"
fi

if [ -n "$due_bookings" ]; then
	load "$due_bookings"
	echo "bench: sync-all --limit $rss_docs of $due_bookings due bookings for its peak RSS" >&2
	read -r due_ms rss_due < <("$rss" "$snapctl" --quiet sync-all --batch-size "$batch" \
		--limit "$rss_docs")
	echo "peak RSS, KiB: $rss_docs listings of $due_bookings due bookings $rss_due ($due_ms ms)" \
		"ratio to $rss_bookings bookings $(ratio "$rss_due" "$rss_big")  (target <= 1.10)"
fi
