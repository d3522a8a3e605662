# Defects found in review, each made to happen on purpose: an operator's withdraw holds; a
# failed snapshot is completed when its booking ends; released claims keep recheck; numbers do
# not depend on extra_float_digits; no other role's lower() stands in for PostgreSQL's; a second
# signal ends a run at once.
# Pauses the shared MongoDB-wire server: runs alone.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
published_demo 30
B=$(pick 0) C=$(pick 1) D=$(pick 2) E=$(pick 3)

# withdraw holds until publish (SPEC section 9): a later content change does not bring the
# listing back.
v=$(q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$B'")
expect 0 withdraw "$B"
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$B'" >/dev/null
expect 0 upsert "$B"
assert_eq "changed, still withdrawn" "$B updated (withdrawn, version $((v + 1)))" "$OUT"
expect 0 sync-all
expect 0 reconcile
assert_eq "no listing while withdrawn" none "$(listing "$B")"
expect 0 publish "$B"
assert_eq "publish lifts the hold" "published $((v + 1))" "$(snapshot_state "$B")"
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$B'" >/dev/null
expect 0 upsert "$B"
assert_eq "no hold after publish" "$B updated (ready_to_publish, version $((v + 2)))" "$OUT"
invariants

# A failed snapshot whose booking ends is completed like any other: its old listing goes.
q "UPDATE market_inventory_snapshots SET status = 'failed', end_date = now() - interval '1 day'
   WHERE booking_id = '$C'" >/dev/null
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"completed":1,' || fail "failed and ended: $OUT"
assert_eq "failed and ended: no listing" none "$(listing "$C")"
invariants

# Released claims keep recheck: publish D waits on a row lock, MongoDB goes away, the claim is
# given back as it was (withdrawn, recheck set), and a later sync-all removes the listing.
expect 0 withdraw "$D"
q "UPDATE market_inventory_snapshots SET recheck = true WHERE booking_id = '$D'" >/dev/null
blocked_on "$D" "$SNAPCTL" publish "$D"
"$SNAPCTL_SRC/scripts/mongo-server.sh" pause "$SNAPCTL_MONGO_ENV"
release "$holder"
reap
"$SNAPCTL_SRC/scripts/mongo-server.sh" resume "$SNAPCTL_MONGO_ENV"
assert_eq "publish with MongoDB gone" 69 "$rc"
assert_eq "claim given back as it was" "withdrawn true" \
	"$(q "SELECT status || ' ' || recheck FROM market_inventory_snapshots
	   WHERE booking_id = '$D'")"
expect 0 sync-all
assert_eq "rechecked" "withdrawn false" \
	"$(q "SELECT status || ' ' || recheck FROM market_inventory_snapshots
	   WHERE booking_id = '$D'")"
invariants

# A second signal while a run winds down ends it at once (FAULTS 38): publish waits on a row
# lock; the first SIGTERM asks it to stop at the next boundary, the second kills it. Its claim
# statement commits when the lock goes, under a lease that then expires like a crashed run's.
blocked_on "$D" "$SNAPCTL" publish "$D"
kill -TERM $p
sleep 0.2
kill -0 $p 2>/dev/null || fail "the first signal ended a run that was waiting"
kill -TERM $p
reap
assert_eq "second signal: killed by it" 143 "$rc"
release "$holder"
q "UPDATE market_inventory_snapshots SET lease_expires_at = now() - interval '1 second'
   WHERE booking_id = '$D' AND status = 'publishing'" >/dev/null
expect 0 sync-all
invariants

# A batch reconcile took is not lost with its run: the cursor moves past a batch as it is taken
# (concurrent runs take the next one), and a run killed during the batch's work leaves it to
# the next run, which takes it again once the lease has ended, before moving on.
q "UPDATE snapctl_reconcile_cursor SET position = '00000000-0000-0000-0000-000000000000'" >/dev/null
F=$(pick 4)
v=$(q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$F'")
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$F'" >/dev/null
blocked_on "$F" "$SNAPCTL" reconcile --batch-size 10
kill -KILL $p
wait $p 2>/dev/null || true
release "$holder"
assert_eq "the batch in hand is recorded" 1 "$(q "SELECT count(*) FROM snapctl_reconcile_batches")"
expect 0 reconcile --batch-size 10 --limit 10
assert_eq "inside its lease, nobody takes it again" "published $v" "$(snapshot_state "$F")"
q "UPDATE snapctl_reconcile_batches SET lease_expires_at = now() - interval '1 second'" >/dev/null
expect 0 reconcile --batch-size 10 --limit 10
assert_eq "taken again after the lease" "published $((v + 1))" "$(snapshot_state "$F")"
assert_eq "no batch left in hand" 0 "$(q "SELECT count(*) FROM snapctl_reconcile_batches")"
invariants

# reconcile ID... stops between batches on a signal, as the walk does: G (unchanged) waits
# for the source table, the signal comes, and H (changed) is left for later (exit 75).
G=$(pick 5) H=$(pick 6)
vh=$(q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$H'")
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$H'" >/dev/null
blocked_by "LOCK TABLE storage_bookings IN ACCESS EXCLUSIVE MODE;" \
	"$SNAPCTL" reconcile --batch-size 1 "$G" "$H"
stop_blocked
assert_eq "reconcile ID... interrupted: $(cat "$TEST_TMP/bg.err")" 75 "$rc"
assert_eq "the next batch not begun" "$vh" \
	"$(q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$H'")"
expect 0 reconcile "$H"
invariants

# Numbers in snapshot JSON do not depend on the session's extra_float_digits: two hosts with
# different settings agree, and neither rewrites the other's snapshot.
q "INSERT INTO sensor_readings (sensor_id, reading_value, reading_unit, reading_time)
   SELECT s.id, 0.1::float8 + 0.2::float8, 'x', now() FROM iot_sensors s
   JOIN storage_bookings b ON b.location_id = s.location_id WHERE b.id = '$E'" >/dev/null
n=$(q "SELECT count(*) FROM storage_bookings")
PGOPTIONS='-c extra_float_digits=0' expect 0 upsert --all
expect 0 upsert --all
assert_eq "second host, other settings" "0 created, 0 updated, $n unchanged" "$OUT"
q "SELECT sensors::text FROM market_inventory_snapshots WHERE booking_id = '$E'" |
	grep -q '0.30000000000000004' || fail "not the shortest exact text"

# Another role's lower(varchar) is a better match than pg_catalog.lower(text) for a varchar
# column; snapctl calls PostgreSQL's, so nothing changes.
q "CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql
   AS \$\$ SELECT 'valid'::text \$\$" >/dev/null
expect 0 upsert --all
assert_eq "no function substituted" "0 created, 0 updated, $n unchanged" "$OUT"
expect 0 sync-all
invariants
echo ok
