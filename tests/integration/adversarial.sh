# The whole pipeline over what production really holds (sql/adversarial_data.sql, on top of
# the demo data): init-db, upsert --all, sync-all, reconcile, cleanup each exit 0 or 3, every
# healthy item is published, every bad one is published as SPEC section 9 says or fails alone
# with a reason, and the listing invariants hold. FAULTS 12, 33 and 34.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init
demo_data 200
psql -XAq -v ON_ERROR_STOP=1 -f "$SNAPCTL_SRC/sql/adversarial_data.sql"
adv() { q "SELECT md5('adv-booking$1')::uuid"; }
total=$(q "SELECT count(*) FROM storage_bookings")

expect 0 --json upsert --all
assert_eq "every booking aggregated" "$total" "$(printf '%s\n' "$OUT" | wc -l)"
expect 0 upsert --all
assert_eq "a second run finds nothing changed" "0 created, 0 updated, $total unchanged" "$OUT"

# One snapshot whose stored content is no listing at all (an earlier writer's '$date' that is
# no date): it fails alone, everything else is published in the same run.
P=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'ready_to_publish'
       AND booking_id NOT IN (SELECT md5('adv-booking' || k)::uuid FROM generate_series(1, 8) k)
       ORDER BY booking_id LIMIT 1")
q "UPDATE market_inventory_snapshots SET sensors = '{\"t\": {\"\$date\": \"no date\"}}'
   WHERE booking_id = '$P'" >/dev/null
expect 3 --json sync-all
printf '%s\n' "$OUT" | grep -q '"retried":1,"failed":0' || fail "poison run: $OUT"
assert_eq "all but the poison settled" "$P ready_to_publish" \
	"$(q "SELECT string_agg(booking_id || ' ' || status, ',') FROM market_inventory_snapshots
	   WHERE status NOT IN ('published', 'withdrawn', 'completed')")"
q "SELECT last_error FROM market_inventory_snapshots WHERE booking_id = '$P'" |
	grep -q 'cannot convert the listing' || fail "the poison's last_error does not say why"
invariants

# SPEC section 9 representations: keys MongoDB can hold, null for what is not a finite number,
# doubles beyond int64, and the text as it was.
"$SNAPCTL" get --listing "$(adv 1)" >"$TEST_TMP/l1" || fail "get --listing 1"
# Numbers as short as they read back the same (get --listing): 1e19 a double, 0.1 + 0.2 as
# 0.30000000000000004.
for want in _where:1.5 unknown:null _date:1e+19 big:-1e+19 huge:9.223372036854776e+18 \
	nan:null inf:null neginf:null a_b:null _oid:null x_y_z:0 negzero:0 \
	temperature:0.30000000000000004; do
	v=${want#*:} v=${v//./\\.} v=${v//+/\\+}
	grep -qE -- "\"${want%%:*}\": \{ \"unit\": \"[^\"]*\", \"value\": $v," \
		"$TEST_TMP/l1" || fail "listing 1: sensor ${want%%:*} is not $v: $(cat "$TEST_TMP/l1")"
done
assert_eq "summary over finite values only" "2.00 1 0 null 1.5" \
	"$(q "SELECT concat_ws(' ', sensor_summary->'a_b_avg', sensor_summary->'a_b_count',
	   sensor_summary->'nan_count', sensor_summary->'nan_avg', sensor_summary->'_where_max')
	   FROM market_inventory_snapshots WHERE booking_id = '$(adv 1)'")"
assert_eq "snapshot and listing agree on the crop" \
	"$(q "SELECT crop_type FROM storage_bookings WHERE id = '$(adv 1)'" | md5sum)" \
	"$(q "SELECT crop_type FROM market_inventory_snapshots WHERE booking_id = '$(adv 1)'" |
		md5sum)"
assert_eq "10,000 pests: those in the window counted (none without a time), 50 shown" "9897 50" \
	"$(q "SELECT pest_count || ' ' || jsonb_array_length(pest_events)
	   FROM market_inventory_snapshots WHERE booking_id = '$(adv 2)'")"

# Bookings deleted after publication (FAULTS 34): reconcile (walking and by id), publish and
# sync-all each remove the listing and withdraw the snapshot, saying why; nothing fails.
for k in 4 5 6 7 8; do
	assert_eq "booking $k published" published \
		"$(q "SELECT status FROM market_inventory_snapshots WHERE booking_id = '$(adv $k)'")"
done
D=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
       AND booking_id NOT IN (SELECT md5('adv-booking' || k)::uuid FROM generate_series(1, 8) k)
       ORDER BY booking_id DESC LIMIT 1")
q "DELETE FROM storage_bookings WHERE id IN (SELECT md5('adv-booking' || k)::uuid
   FROM generate_series(4, 8) k) OR id = '$D'" >/dev/null
expect 0 --json reconcile "$(adv 7)"
printf '%s\n' "$OUT" | grep -q '"withdrawn":1,' || fail "reconcile ID: $OUT"
expect 0 --json publish "$(adv 8)"
printf '%s\n' "$OUT" | grep -q '"withdrawn":1,' || fail "publish ID: $OUT"
expect 0 --json upsert "$D"
assert_eq "upsert of a deleted booking" "updated" \
	"$(printf '%s\n' "$OUT" | sed -E 's/.*"action":"([a-z_]+)".*/\1/')"
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"withdrawn":1,' || fail "sync-all: $OUT"
expect 0 --json reconcile
printf '%s\n' "$OUT" | grep -q '"withdrawn":3,' || fail "reconcile: $OUT"
assert_eq "deleted bookings withdrawn, saying why" \
	"6 withdrawn|the booking no longer exists" \
	"$(q "SELECT count(*) || ' ' || string_agg(DISTINCT status || '|' || last_error, ',')
	   FROM market_inventory_snapshots WHERE booking_id IN (SELECT md5('adv-booking' || k)::uuid
	   FROM generate_series(4, 8) k) OR booking_id = '$D'")"
for k in 4 5 6 7 8; do
	assert_eq "listing of deleted booking $k" none "$(listing "$(adv $k)")"
done
expect 0 reconcile
expect 0 upsert "$D"
assert_eq "a withdrawn deleted booking stays so" "$D unchanged (withdrawn, version 2)" "$OUT"
invariants

# The poison, fixed, is published; then cleanup retires what is finished.
q "UPDATE market_inventory_snapshots SET sensors = '{}', next_attempt_at = now()
   WHERE booking_id = '$P'" >/dev/null
expect 0 sync-all
expect 0 --json cleanup --older-than 0 --orphans
printf '%s\n' "$OUT" | grep -q '"deleted":[1-9]' || fail "cleanup: $OUT"
assert_eq "nothing left to do" 0 "$(unsettled)"
invariants
echo ok
