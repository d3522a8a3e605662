# reconcile: a source change reaches exactly the listings it concerns, in the same run; no
# change writes nothing in either database; finished bookings lose their listing.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
published_demo 200
published() { q "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'published'"; }
# The listings whose version or updated_at moved between two listings() dumps.
written() { comm -13 "$1" "$2" | wc -l; }
field() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" <<<"$OUT"; }

# No change: every published snapshot checked, not a row or document written.
n=$(published)
before=$(table_state)
listings >"$TEST_TMP/l0"
expect 0 --json reconcile
printf '%s\n' "$OUT" | grep -q "\"checked\":$n,\"unchanged\":$n,\"changed\":0,\"missing\":0,\"published\":0," ||
	fail "no change: $OUT"
assert_eq "no change: rows written" "$before" "$(table_state)"
listings >"$TEST_TMP/l1"
assert_eq "no change: documents written" 0 "$(written "$TEST_TMP/l0" "$TEST_TMP/l1")"
expect 0 --json reconcile --dry-run
assert_eq "dry run: rows written" "$before" "$(table_state)"

# A new reading at one location: only that location's bookings change, in both databases.
L=$(q "SELECT s.location_id FROM market_inventory_snapshots s JOIN iot_sensors i
       ON i.location_id = s.location_id WHERE s.status = 'published'
       GROUP BY s.location_id ORDER BY count(*) DESC, s.location_id LIMIT 1")
at_l=$(q "SELECT count(*) FROM market_inventory_snapshots
          WHERE status = 'published' AND location_id = '$L'")
q "INSERT INTO sensor_readings SELECT id, 42.5, 'C', now(), true FROM iot_sensors
   WHERE location_id = '$L' AND sensor_type = 'temperature'" >/dev/null
expect 0 --json reconcile --dry-run
[ "$(field changed)" = "$at_l" ] || fail "dry run, new reading: $OUT"
assert_eq "dry run, new reading: rows written" "$before" "$(table_state)"
expect 0 --json reconcile
[ "$(field changed)" = "$at_l" ] && [ "$(field published)" = "$at_l" ] &&
	[ "$(field checked)" = "$n" ] || fail "new reading at $L ($at_l bookings): $OUT"
listings >"$TEST_TMP/l2"
assert_eq "new reading: documents written" "$at_l" "$(written "$TEST_TMP/l1" "$TEST_TMP/l2")"
ids=$(comm -13 "$TEST_TMP/l1" "$TEST_TMP/l2" | cut -f1 | sed "s/.*/'&'/" | paste -sd,)
assert_eq "new reading: only location $L" "$at_l" "$(q "SELECT count(*)
	FROM market_inventory_snapshots WHERE booking_id IN ($ids) AND location_id = '$L'")"
invariants

# A pest alert raised, then resolved: the listings say so after each reconcile.
B=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
       AND NOT has_pest_alerts ORDER BY booking_id LIMIT 1")
BL=$(q "SELECT location_id FROM market_inventory_snapshots WHERE booking_id = '$B'")
q "INSERT INTO pest_detections VALUES ('$BL', 'weevil', 'critical', 0.97,
   now() - interval '1 hour', 'fumigation', NULL)" >/dev/null
expect 0 reconcile
"$SNAPCTL" get --listing "$B" | tr -d ' \n' | grep -q '"has_pest_alerts":true' ||
	fail "pest alert not in the listing"
q "UPDATE pest_detections SET resolved_at = now() WHERE location_id = '$BL'
   AND pest_type = 'weevil'" >/dev/null
expect 0 reconcile "$B"
"$SNAPCTL" get --listing "$B" | tr -d ' \n' | grep -q '"has_pest_alerts":false' ||
	fail "resolved pest still an alert in the listing"

# A vendor certificate expires: the listing's certification follows.
C=$(q "SELECT c.id FROM compliance_certificates c JOIN market_inventory_snapshots s
       ON s.vendor_id = c.vendor_id WHERE s.status = 'published' AND lower(c.status) = 'valid'
       AND (c.expiry_date IS NULL OR c.expiry_date >= current_date) ORDER BY c.id LIMIT 1")
CB=$(q "SELECT s.booking_id FROM market_inventory_snapshots s JOIN compliance_certificates c
        ON c.vendor_id = s.vendor_id WHERE c.id = '$C' AND s.status = 'published' LIMIT 1")
"$SNAPCTL" get --listing "$CB" | grep -q "$C" || fail "certificate $C not in the listing"
q "UPDATE compliance_certificates SET expiry_date = current_date - 1 WHERE id = '$C'" >/dev/null
expect 0 reconcile
! "$SNAPCTL" get --listing "$CB" | grep -q "$C" || fail "expired certificate $C still listed"
invariants

# A booking cancelled, another ended, a third ended with time alone (its snapshot already holds
# the end, so the upsert changes nothing): listings gone, withdrawn and completed.
X=$(pick 5) E=$(pick 6) T=$(pick 7)
q "UPDATE storage_bookings SET end_date = now() - interval '1 day' WHERE id = '$T'" >/dev/null
expect 0 upsert "$T"
q "UPDATE market_inventory_snapshots SET status = 'published', published_version = snapshot_version
   WHERE booking_id = '$T'" >/dev/null
q "UPDATE storage_bookings SET booking_status = 'cancelled' WHERE id = '$X'" >/dev/null
q "UPDATE storage_bookings SET end_date = now() - interval '1 day' WHERE id = '$E'" >/dev/null
expect 0 --json reconcile
printf '%s\n' "$OUT" | grep -q '"changed":2,"missing":0,"published":0,"withdrawn":1,"completed":2,' ||
	fail "finished: $OUT"
assert_eq "cancelled" "withdrawn none" "$(q "SELECT status FROM market_inventory_snapshots
	WHERE booking_id = '$X'") $(listing "$X")"
for b in "$E" "$T"; do
	assert_eq "ended $b" "completed none" "$(q "SELECT status FROM market_inventory_snapshots
		WHERE booking_id = '$b'") $(listing "$b")"
done
invariants

# Lost history (SPEC section 9): a published snapshot whose listing is gone (deleted by hand,
# or MongoDB restored from an older backup) is published again by the next reconcile, walking
# or by id; --dry-run only counts it; a withdrawn snapshot without a listing stays so.
M1=$(pick 10)
M2=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
        ORDER BY booking_id DESC LIMIT 1")
v1=$(listing "$M1")
"$SNAPCTL_TEST_MONGO_TOOL" delete "$SNAPCTL_MONGO_DB" "$M1"
"$SNAPCTL_TEST_MONGO_TOOL" delete "$SNAPCTL_MONGO_DB" "$M2"
before=$(table_state)
expect 0 --json reconcile --dry-run
[ "$(field missing)" = 2 ] && [ "$(field published)" = 0 ] || fail "dry run, missing: $OUT"
assert_eq "dry run, missing: rows written" "$before" "$(table_state)"
assert_eq "dry run, missing: still none" none "$(listing "$M1")"
listings >"$TEST_TMP/l3"
expect 0 --json reconcile
[ "$(field missing)" = 2 ] && [ "$(field published)" = 2 ] && [ "$(field changed)" = 0 ] ||
	fail "missing listings: $OUT"
assert_eq "published again, same version" "$v1" "$(listing "$M1")"
listings >"$TEST_TMP/l4"
assert_eq "missing: only those written" 2 "$(written "$TEST_TMP/l3" "$TEST_TMP/l4")"
"$SNAPCTL_TEST_MONGO_TOOL" delete "$SNAPCTL_MONGO_DB" "$M2"
expect 0 --json reconcile "$M2" "$X"
[ "$(field missing)" = 1 ] && [ "$(field published)" = 1 ] || fail "missing, by id: $OUT"
assert_eq "withdrawn stays without a listing" "withdrawn none" \
	"$(q "SELECT status FROM market_inventory_snapshots WHERE booking_id = '$X'") $(listing "$X")"
invariants

# MongoDB down (SPEC section 7): reconcile asks it which listings exist while PostgreSQL checks
# the batch; it stops with exit 69 and a one-line error, keeps what PostgreSQL wrote (the
# change, a new version due: sync-all's from then on) and gives its batch back; once MongoDB
# is back, the next run publishes the missing listing, and sync-all the change.
M3=$(pick 20)
B3=$(pick 30)
"$SNAPCTL_TEST_MONGO_TOOL" delete "$SNAPCTL_MONGO_DB" "$M3"
q "UPDATE crop_inspections SET freshness = 'down and back'
   WHERE id = (SELECT ai_inspection_id FROM storage_bookings WHERE id = '$B3')" >/dev/null
v3=$(q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$B3'")
# (a MongoDB nowhere, not the shared server paused: other tests run beside this one)
expect 69 --mongo "mongodb://%2Fnowhere%2Fmongodb.sock/?serverSelectionTimeoutMS=200" reconcile
one_line_error "cannot reach MongoDB"
assert_eq "MongoDB down: the change kept, ready" "$((v3 + 1)) ready_to_publish" \
	"$(q "SELECT snapshot_version || ' ' || status FROM market_inventory_snapshots
	      WHERE booking_id = '$B3'")"
assert_eq "MongoDB down: the batch given back" 0 \
	"$(q "SELECT count(*) FROM snapctl_reconcile_batches WHERE lease_expires_at > now()")"
expect 0 --json reconcile
[ "$(field missing)" = 1 ] && [ "$(field published)" = 1 ] || fail "back up: $OUT"
expect 0 sync-all
"$SNAPCTL" get --listing "$B3" | grep -q "down and back" || fail "the change did not reach $B3"
[ "$(listing "$M3")" != none ] || fail "the missing listing of $M3 was not published again"
invariants

# --limit: a run checks that many; the next run goes on from there (no starvation).
expect 0 --json reconcile --limit 50 --batch-size 20
[ "$(field checked)" = 50 ] || fail "--limit 50: $OUT"
expect 0 --json reconcile --limit 1000
[ "$(field checked)" = "$(($(published) - 50))" ] || fail "the rest of the pass: $OUT"

# Racing sync-all and upsert while sources change: every listing ends at the newest version.
for i in 1 2 3; do
	q "INSERT INTO sensor_readings SELECT id, 10 + $i, 'C', now(), false FROM iot_sensors
	   WHERE sensor_type = 'humidity'" >/dev/null
	"$SNAPCTL" --quiet reconcile --batch-size 30 &
	"$SNAPCTL" --quiet sync-all --batch-size 30 &
	"$SNAPCTL" --quiet upsert --all --batch-size 50 &
	wait
done
"$SNAPCTL" --quiet sync-all
expect 0 --json reconcile
[ "$(field changed)" = 0 ] || fail "after the race, still changes: $OUT"
assert_eq "after the race: all settled" 0 "$(unsettled)"
invariants

# Bad input changes nothing.
expect 65 reconcile not-a-uuid
expect 66 reconcile 00000000-0000-0000-0000-000000000001
echo ok
