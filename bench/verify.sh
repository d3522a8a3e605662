#!/usr/bin/env bash
# The benchmark of issue 14, in one run on one throwaway stack (bench/lib.sh): `snapctl verify`
# of every listing at BOOKINGS and at BIG_BOOKINGS bookings, next to its floor, bench/listings.c
# `stream`: one program that streams the same snapshot columns in the same pages and every
# listing in booking_id order, comparing nothing. Median of RUNS each; peak RSS of both at both
# sizes; and the check that a clean stack shows no difference at all (no false positive).
# The listings are made by bench/listings.c `load` (what sync-all would have written, as plain
# inserts: sync-all's filtered upserts are quadratic on FerretDB, see bench/sync.sh).
# Usage: bench/verify.sh [BOOKINGS [BIG_BOOKINGS [RUNS]]]     (defaults: 20000 200000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
bookings=${1:-20000} big=${2:-200000} runs=${3:-3}

. bench/lib.sh
bench_stack bench_listings bench_rss bench_bulk
listings=$build/bench/bench_listings rss=$build/bench/bench_rss

# measure N: a database of N bookings, all snapshots as sync-all leaves them, their listings;
# then prints "verify_ms floor_ms verify_kib floor_kib checked".
measure() {
	local n=$1 r ms kib
	export PGDATABASE=bench_$n SNAPCTL_MONGO_DB=bench_$n
	PGDATABASE=postgres createdb "$PGDATABASE"
	load_bookings "$n"
	"$snapctl" --quiet upsert --all
	mark_published
	"$snapctl" --json verify >"$tmp/clean.json" ||
		{ echo "bench: differences on a clean stack: $(cat "$tmp/clean.json")" >&2; exit 1; }
	grep -q '"missing":0,"extra":0,"version":0,"drift":0,' "$tmp/clean.json" ||
		{ echo "bench: false positives: $(cat "$tmp/clean.json")" >&2; exit 1; }
	rm -f "$tmp/v" "$tmp/f" "$tmp/vk" "$tmp/fk"
	for r in $(seq "$runs"); do
		echo "bench: $n, run $r of $runs" >&2
		read -r ms kib < <("$rss" "$snapctl" --quiet verify)
		echo "$ms" >>"$tmp/v" && echo "$kib" >>"$tmp/vk"
		read -r ms kib < <("$rss" "$listings" stream 1000 | tail -1)
		echo "$ms" >>"$tmp/f" && echo "$kib" >>"$tmp/fk"
	done
	echo "$(median <"$tmp/v") $(median <"$tmp/f") $(median <"$tmp/vk") $(median <"$tmp/fk")" \
		"$(sed -E 's/.*"checked":([0-9]+).*/\1/' "$tmp/clean.json")"
}

measure "$bookings" >"$tmp/small"
measure "$big" >"$tmp/big"
read -r v1 f1 vk1 fk1 c1 <"$tmp/small"
read -r v2 f2 vk2 fk2 c2 <"$tmp/big"
cat <<EOT
snapctl verify benchmark: $(nproc) cores, PostgreSQL $(sql -c "SHOW server_version"),
  MongoDB-wire server: ${SNAPCTL_TEST_MONGO_URI:+a given one}${SNAPCTL_TEST_MONGO_URI:-FerretDB 1.24 on PostgreSQL}
$bookings bookings ($c1 checked), median ms: verify $v1  two-stream floor $f1  ratio $(ratio "$v1" "$f1")  (target <= 1.5)
$big bookings ($c2 checked), median ms: verify $v2  two-stream floor $f2  ratio $(ratio "$v2" "$f2")  (target <= 1.5)
peak RSS, KiB: verify $vk1 at $bookings, $vk2 at $big: ratio $(ratio "$vk2" "$vk1") (target <= 1.10); floor $fk1, $fk2
false positives on a clean stack: none at either size
EOT
