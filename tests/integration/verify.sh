# verify (FAULTS 36): PostgreSQL and MongoDB agree after what snapctl does not control. A field
# edited by hand, a field added, a listing deleted, an extra listing, a listing of a withdrawn
# booking, one at another version: each is found, and nothing else (none on a clean run, none
# while sync-all publishes), and --repair puts each right through the claim path; a kill -9
# during a repair leaves nothing a rerun cannot finish.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
published_demo 200
field() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" <<<"$OUT"; }
classes() { echo "$(field missing) $(field extra) $(field version) $(field drift)"; }
version() { q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$1'"; }
tool() { "$SNAPCTL_TEST_MONGO_TOOL" "$1" "$SNAPCTL_MONGO_DB" "${@:2}"; }

# Bad input: one line, exit 64, nothing written (not even the run record).
for bad in "verify extra" "verify --batch-size 0" "verify --limit x" "verify --max-duration inf"; do
	# shellcheck disable=SC2086
	expect 64 $bad
	[ -z "$OUT" ] || fail "$bad printed: $OUT"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "$bad: more than one line: $ERR"
done
assert_eq "bad input recorded no run" 0 "$(q "SELECT count(*) FROM snapctl_runs WHERE job = 'verify'")"

# A clean run: everything agrees, in both directions.
n=$(q "SELECT count(*) FROM market_inventory_snapshots")
expect 0 --json verify
assert_eq "clean: no difference" "0 0 0 0" "$(classes)"
assert_eq "clean: every booking checked" "$n" "$(field checked)"
assert_eq "clean: all ok" "$n" "$(field ok)"

# What others do to the listings.
A=$(pick 0) A2=$(pick 1) B=$(pick 2) C=$(pick 3)
W=$(pick 0 withdrawn)
O=00000000-0000-0000-0000-00000000beef
vA=$(version "$A") vC=$(version "$C")
tool update "$A" '{"quantity_kg": 1}'
tool update "$A2" '{"note": "added by hand"}'
tool delete "$B"
tool update "$C" '{"snapshot_version": {"$numberLong": "7"}}'
tool insert "{\"booking_id\": \"$W\", \"snapshot_version\": 1}"
tool insert "{\"booking_id\": \"$O\", \"snapshot_version\": 1}"
# another writer's, under a booking_id that is no UUID: an extra like the others
tool insert '{"booking_id": "not \"a\" uuid", "snapshot_version": 1}'
before=$(table_state)
listings >"$TEST_TMP/l0"
expect 3 --json verify
assert_eq "found: missing extra version drift" "1 3 1 2" "$(classes)"
for pair in "$A drift" "$A2 drift" "$B missing" "$C version" "$W extra" "$O extra"; do
	set -- $pair
	printf '%s\n' "$OUT" | grep -q "{\"booking_id\":\"$1\",\"class\":\"$2\"" ||
		fail "$2 $1 not in the details: $OUT"
done
printf '%s\n' "$ERR" | grep -q "^snapctl: warning: version $C: listing at version 7, snapshot at $vC$" ||
	fail "the difference on stderr: $ERR"
expect 3 --json verify --repair --dry-run
assert_eq "dry run: found the same" "1 3 1 2" "$(classes)"
assert_eq "dry run: nothing repaired" 0 "$(field repaired)"
assert_eq "verify writes no snapshot" "$before" "$(table_state)"
listings >"$TEST_TMP/l1"
assert_eq "verify writes no listing" "" "$(comm -3 "$TEST_TMP/l0" "$TEST_TMP/l1")"

# --repair, then all agree.
expect 0 --json verify --repair
assert_eq "repaired" 7 "$(field repaired)"
expect 0 --json verify
assert_eq "after the repair: no difference" "0 0 0 0" "$(classes)"
assert_eq "drift: published again at its version" "$vA" "$(listing "$A" | cut -d' ' -f1)"
"$SNAPCTL" get --listing "$A" | tr -d ' \n' | grep -q '"quantity_kg":1,' &&
	fail "the edited field is still there"
"$SNAPCTL" get --listing "$A2" | grep -q 'added by hand' && fail "the added field is still there"
assert_eq "missing: published again" "$(version "$B")" "$(listing "$B" | cut -d' ' -f1)"
assert_eq "version: the snapshot moved past the listing's" 8 "$(version "$C")"
assert_eq "version: published" 8 "$(listing "$C" | cut -d' ' -f1)"
assert_eq "extra of a withdrawn booking: removed" none "$(listing "$W")"
assert_eq "extra without a snapshot: removed" none "$(listing "$O")"
assert_eq "extra under no UUID: removed" 0 "$(listings | grep -c '^not "a" uuid' || true)"
invariants

# In flight is no difference: a changed snapshot waiting for sync-all has an older listing.
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$A'" >/dev/null
"$SNAPCTL" --quiet upsert "$A"
expect 0 --json verify
assert_eq "in flight: skipped" "1 0 0 0 0" "$(field skipped) $(classes)"
"$SNAPCTL" --quiet sync-all

# A sync-all publishing many while verify --repair runs: no false difference, nothing in
# flight touched, everything agrees after.
q "INSERT INTO sensor_readings SELECT id, 30.5, 'C', now(), true FROM iot_sensors" >/dev/null
"$SNAPCTL" --quiet upsert --all
"$SNAPCTL" --quiet sync-all --batch-size 5 >"$TEST_TMP/s.out" 2>&1 &
s=$!
expect 0 --json verify --repair --batch-size 7
wait $s || fail "the concurrent sync-all: $(cat "$TEST_TMP/s.out")"
assert_eq "during a sync-all: no false difference" "0 0 0 0" "$(classes)"
expect 0 sync-all
expect 0 --json verify
assert_eq "after both: no difference" "0 0 0 0" "$(classes)"
invariants

# kill -9 in the middle of a repair of every listing: the drifted listings removed, their
# snapshots not yet made due (that waits for the table); leases end; the rerun finishes.
tool update '*' '{"grade": "edited"}'
blocked_by "LOCK TABLE market_inventory_snapshots IN SHARE MODE;" \
	"$SNAPCTL" --quiet verify --repair --batch-size 10
assert_eq "in the middle: drifted listings removed" 0 "$(listings | wc -l)"
kill -9 $p
wait $p 2>/dev/null || true
release "$holder"
q "UPDATE market_inventory_snapshots SET lease_expires_at = now() - interval '1 second'
   WHERE status = 'publishing'" >/dev/null
expect 0 sync-all
expect 0 --json verify --repair
expect 0 --json verify
assert_eq "after the kill and a rerun: no difference" "0 0 0 0" "$(classes)"
invariants
echo ok
