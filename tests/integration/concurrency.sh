# Concurrent upserts of one booking never fail and never lose an update (SPEC section 3):
# 16 at once on a new booking, then the two interleavings made on purpose.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init
demo_data 50 2
B=$(booking 0)
C=$(booking 1)

# 16 processes released at once.
for i in $(seq 16); do
	(
		exec 2>"$TEST_TMP/err.$i"
		"$SNAPCTL" --json upsert "$B" >"$TEST_TMP/out.$i"
		echo $? >"$TEST_TMP/rc.$i"
	) &
done
wait
for i in $(seq 16); do
	assert_eq "exit code of upsert $i" 0 "$(cat "$TEST_TMP/rc.$i")"
	[ ! -s "$TEST_TMP/err.$i" ] || fail "upsert $i wrote to stderr: $(cat "$TEST_TMP/err.$i")"
done
assert_eq "one row" "1|1" \
	"$(q "SELECT count(*) || '|' || max(snapshot_version) FROM market_inventory_snapshots")"
assert_eq "one created, 15 unchanged" "1 created
15 unchanged" "$(cat "$TEST_TMP"/out.* | grep -o '"action":"[a-z]*"' | cut -d'"' -f4 |
	sort | uniq -c | sed 's/^ *//')"

# race WHAT BOOKING EXPECTED: with a transaction held (hold), upserts BOOKING, which must wait
# for it; releases it; the upsert must go round again and report EXPECTED.
race() {
	local out=$TEST_TMP/race.out upsert
	"$SNAPCTL" -vv upsert "$2" >"$out" 2>"$out.err" &
	upsert=$!
	wait_blocked
	release "$holder"
	wait "$upsert" || fail "$1: upsert failed: $(cat "$out.err")"
	assert_eq "$1" "$2 $3" "$(cat "$out")"
	grep -q "concurrent upsert of" "$out.err" || fail "$1: the race did not happen"
}

# 1. A concurrent upsert is writing newer content (a new version, not committed) when the
# source changes again: snapctl's write waits for it, finds the row moved on, locks it, reads
# it again and writes the current content one version later.
hold "BEGIN; UPDATE market_inventory_snapshots SET crop_type = 'in flight', content_hash = 42,
      snapshot_version = snapshot_version + 1 WHERE booking_id = '$B';"
holder=$!
q "UPDATE storage_bookings SET crop_type = 'kale' WHERE id = '$B'" >/dev/null
race "behind a held row" "$B" "updated (ready_to_publish, version 3)"
assert_eq "current content" kale \
	"$(q "SELECT crop_type FROM market_inventory_snapshots WHERE booking_id = '$B'")"

# 2. A first upsert of C by someone else is in flight (inserted, not committed) when snapctl
# starts: snapctl's INSERT waits on the unique index, then the row it did not see goes round
# again, locked, and is brought up to date.
cols=$(q "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
	  FROM information_schema.columns WHERE table_name = 'market_inventory_snapshots'
	  AND column_name NOT IN ('id', 'booking_id', 'crop_type', 'snapshot_version')")
hold "BEGIN; INSERT INTO market_inventory_snapshots ($cols, booking_id, crop_type, snapshot_version)
      SELECT $cols, '$C', 'stale', 1 FROM market_inventory_snapshots WHERE booking_id = '$B';"
holder=$!
race "racing a first insert" "$C" "updated (ready_to_publish, version 2)"
assert_eq "content brought up to date" \
	"$(q "SELECT crop_type FROM storage_bookings WHERE id = '$C'")" \
	"$(q "SELECT crop_type FROM market_inventory_snapshots WHERE booking_id = '$C'")"
assert_eq "one row per booking" "2|2" \
	"$(q "SELECT count(*) || '|' || count(DISTINCT booking_id) FROM market_inventory_snapshots")"
echo ok
