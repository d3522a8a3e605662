# publish, sync-all, withdraw and get --listing against the real MongoDB-wire server: after
# every run, the invariants of listings hold.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init
demo_data 60
"$SNAPCTL" --quiet upsert --all

# --dry-run counts and changes nothing.
before=$(table_state)
expect 0 --json sync-all --dry-run
due=$(q "SELECT count(*) FROM market_inventory_snapshots")
printf '%s\n' "$OUT" | grep -q "\"claimed\":$due," || fail "dry run: $OUT"
assert_eq "dry run changed nothing" "$before" "$(table_state)"

expect 0 --json sync-all --batch-size 7
printf '%s\n' "$OUT" | grep -q "\"claimed\":$due,.*\"retried\":0,\"failed\":0" || fail "sync-all: $OUT"
assert_eq "every snapshot settled" 0 "$(unsettled)"
[ "$(q "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'withdrawn'")" -gt 0 ] ||
	fail "the demo data has cancelled bookings"
invariants

# Nothing due: a rerun claims nothing.
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"claimed":0,' || fail "rerun: $OUT"

# A content change is republished under the same _id, at the new version.
B=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
       AND inspection_status = 'completed' ORDER BY booking_id LIMIT 1")
lid=$(q "SELECT market_listing_id FROM market_inventory_snapshots WHERE booking_id = '$B'")
q "UPDATE crop_inspections SET freshness = 'republished'
   WHERE id = (SELECT ai_inspection_id FROM storage_bookings WHERE id = '$B')" >/dev/null
expect 0 upsert "$B"
expect 0 publish "$B"
assert_eq "republished, same _id" "$(q "SELECT snapshot_version FROM market_inventory_snapshots
	WHERE booking_id = '$B'") $lid" "$(listing "$B")"
"$SNAPCTL" get --listing "$B" >"$TEST_TMP/listing"
grep -q '"freshness": "republished"' "$TEST_TMP/listing" ||
	fail "listing content not updated"
invariants

# withdraw removes the listing now (--dry-run: not yet).
expect 0 --json withdraw --dry-run "$B"
assert_eq "withdraw --dry-run --json" "{\"booking_id\":\"$B\",\"status\":\"withdrawn\",\"dry_run\":true}" "$OUT"
[ "$(listing "$B")" != none ] || fail "withdraw --dry-run removed the listing"
expect 0 withdraw "$B"
assert_eq "withdrawn" "withdrawn|" \
	"$(q "SELECT status || '|' || coalesce(market_listing_id, '') FROM market_inventory_snapshots
	   WHERE booking_id = '$B'")"
expect 66 get --listing "$B"
invariants

# Dry, publish counts what the claim would do: it lifts the hold, so this is a publication.
expect 0 --json publish --dry-run "$B"
printf '%s\n' "$OUT" | grep -q '"claimed":1,"published":1,"withdrawn":0,' || fail "publish --dry-run: $OUT"
assert_eq "still withdrawn" "withdrawn|" \
	"$(q "SELECT status || '|' || coalesce(market_listing_id, '') FROM market_inventory_snapshots
	   WHERE booking_id = '$B'")"

# MongoDB down: exit 69, nothing claimed or marked; back up: the next run publishes.
q "UPDATE market_inventory_snapshots SET status = 'ready_to_publish', next_attempt_at = now()
   WHERE status = 'published'" >/dev/null
before=$(q "SELECT string_agg(booking_id || status, ',' ORDER BY booking_id)
            FROM market_inventory_snapshots")
"$SNAPCTL_SRC/scripts/mongo-server.sh" pause "$SNAPCTL_MONGO_ENV"
expect 69 sync-all
one_line_error "cannot reach MongoDB"
"$SNAPCTL_SRC/scripts/mongo-server.sh" resume "$SNAPCTL_MONGO_ENV"
assert_eq "nothing touched while MongoDB was down" "$before" \
	"$(q "SELECT string_agg(booking_id || status, ',' ORDER BY booking_id)
	      FROM market_inventory_snapshots")"
expect 0 sync-all
invariants

# upsert --publish: the listing follows at once.
C=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
       AND inspection_status = 'completed' ORDER BY booking_id DESC LIMIT 1")
v=$(q "SELECT snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$C'")
lid=$(q "SELECT market_listing_id FROM market_inventory_snapshots WHERE booking_id = '$C'")
q "UPDATE crop_inspections SET freshness = 'at once'
   WHERE id = (SELECT ai_inspection_id FROM storage_bookings WHERE id = '$C')" >/dev/null
expect 0 --json upsert --publish "$C"
assert_eq "upsert --publish output" \
	"{\"booking_id\":\"$C\",\"action\":\"updated\",\"status\":\"ready_to_publish\",\"snapshot_version\":$((v + 1))}" \
	"$OUT"
assert_eq "upsert --publish: quiet" "" "$ERR"
assert_eq "upsert --publish: listing" "$((v + 1)) $lid" "$(listing "$C")"
invariants

# ... and with MongoDB down the snapshot is written all the same, left for sync-all, and the
# run says so without failing.
q "UPDATE crop_inspections SET freshness = 'later'
   WHERE id = (SELECT ai_inspection_id FROM storage_bookings WHERE id = '$C')" >/dev/null
"$SNAPCTL_SRC/scripts/mongo-server.sh" pause "$SNAPCTL_MONGO_ENV"
expect 0 upsert --publish "$C"
"$SNAPCTL_SRC/scripts/mongo-server.sh" resume "$SNAPCTL_MONGO_ENV"
one_line_error "warning: 1 of 1 listings not published now \(.*cannot reach MongoDB.*sync-all will"
assert_eq "left ready" "ready_to_publish $((v + 2))" "$(snapshot_state "$C")"
assert_eq "older listing still online" "$((v + 1)) $lid" "$(listing "$C")"
expect 0 sync-all
assert_eq "published later" "$((v + 2)) $lid" "$(listing "$C")"
invariants

# Errors: not a UUID (65), no such snapshot (66), nothing changed.
expect 65 publish not-a-uuid
one_line_error "not a UUID"
expect 66 publish 00000000-0000-0000-0000-0000000000ff
one_line_error "no snapshot"
echo ok
