# Ten times the data, the same memory (FAULTS 29): every job streams in batches, so its peak
# RSS at 10x the bookings stays within a small margin of that at 1x. (Time is the benchmarks'
# business, bench/: never asserted here.)
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
[ -x /usr/bin/time ] || { echo "no /usr/bin/time (scripts/setup.sh installs it)"; exit 77; }
# Under ASan, freed memory waits in a quarantine that grows with what was ever allocated.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=1"
jobs=(
	"upsert --all --batch-size 100"
	"sync-all --batch-size 100"
	"reconcile --batch-size 100"
	"list --status published --limit 1000000"
	"cleanup --orphans --older-than 1s --batch-size 100"
)
# peaks SIZE: the peak RSS (kB) of each job over SIZE bookings, one line each.
peaks() {
	local job
	new_db init
	demo_data "$1"
	for job in "${jobs[@]}"; do
		if [ "${job%% *}" = cleanup ]; then
			q "UPDATE market_inventory_snapshots SET status_changed_at = now() - interval '1 day'
			   WHERE status IN ('withdrawn', 'completed')" >/dev/null
		fi
		# shellcheck disable=SC2086
		/usr/bin/time -f %M -o "$TEST_TMP/rss" "$SNAPCTL" --quiet $job >/dev/null ||
			fail "$job over $1 bookings: exit $?"
		cat "$TEST_TMP/rss"
	done
}
small=$(peaks 150)
large=$(peaks 1500)
i=0
while read -r s && read -r l <&3; do
	echo "${jobs[$i]}: ${s} kB at 150 bookings, ${l} kB at 1500"
	# Flat: within a tenth, plus 1 MB for what does not scale (libraries warming up).
	[ "$l" -le $((s * 11 / 10 + 1024)) ] || fail "${jobs[$i]}: ${l} kB at 10x, ${s} kB at 1x"
	i=$((i + 1))
done <<<"$small" 3<<<"$large"

# Reconcile finds a missing listing among more than a thousand in one batch: the MongoDB module
# asks for so many listings by the range of their booking ids, not by a list of them.
n=$(q "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'published'")
[ "$n" -gt 1000 ] || fail "test data: $n published"
M=$(pick 500)
"$SNAPCTL_TEST_MONGO_TOOL" delete "$SNAPCTL_MONGO_DB" "$M"
expect 0 --json reconcile --batch-size 5000
printf '%s\n' "$OUT" | grep -q "\"checked\":$n,\"unchanged\":$n,\"changed\":0,\"missing\":1,\"published\":1," ||
	fail "one missing among $n: $OUT"
[ "$(listing "$M")" != none ] || fail "the missing listing was not published again"

# However many ids are given, upsert reports them in the order given (the statement's rows come
# in no order of their own once there are a few hundred).
mapfile -t ids < <(q "SELECT id FROM storage_bookings ORDER BY md5(id::text)")
expect 0 upsert "${ids[@]}"
[ "$(printf '%s\n' "$OUT" | cut -d' ' -f1)" = "$(printf '%s\n' "${ids[@]}")" ] ||
	fail "upsert of ${#ids[@]} ids: not reported in the order given"
invariants
echo ok
