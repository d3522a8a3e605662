# Host clocks skewed (FAULTS 31): leases, due times, ages and run records come from the
# database's now(), never the host's, so a host whose clock is days off takes no lease that
# another host would think expired, deletes nothing too young, and records its runs at the
# database's time. libfaketime sets snapctl's clock (and only snapctl's).
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
faketime_lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$faketime_lib" ] || { echo "no libfaketime (scripts/setup.sh installs it)"; exit 77; }
new_db init
demo_data 30
"$SNAPCTL" --quiet upsert --all
# skewed OFFSET ARGS...: snapctl with its clock OFFSET (libfaketime's "+10d", "-3d") off. ASan
# must come first among preloaded libraries unless told otherwise.
asan="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
skewed() {
	FAKETIME="$1" LD_PRELOAD="$faketime_lib" ASAN_OPTIONS="$asan" "$SNAPCTL" "${@:2}"
}
[ "$(FAKETIME=+10d LD_PRELOAD="$faketime_lib" date +%Y)" != "$(date +%Y)" ] ||
	[ "$(FAKETIME=+400d LD_PRELOAD="$faketime_lib" date +%s)" -gt "$(($(date +%s) + 86400))" ] ||
	fail "libfaketime does not move the clock"

# A host three days behind: its runs publish, and their leases run from the database's now.
OUT=$(skewed -3d --json sync-all) || fail "skewed sync-all: $OUT"
assert_eq "nothing left due" 0 "$(q "SELECT count(*) FROM market_inventory_snapshots
	WHERE status IN ('ready_to_publish', 'publishing')")"
B=$(pick 0)
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$B'" >/dev/null
"$SNAPCTL" --quiet upsert "$B"
claimed_stopped "$B" env FAKETIME=-3d LD_PRELOAD="$faketime_lib" ASAN_OPTIONS="$asan" \
	"$SNAPCTL" publish "$B"
assert_eq "the lease runs from the database's now" t "$(q "SELECT lease_expires_at
	BETWEEN now() + interval '4 minutes' AND now() + interval '6 minutes'
	FROM market_inventory_snapshots WHERE booking_id = '$B'")"
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"claimed":0,' || fail "a host on time took the skewed host's lease: $OUT"
kill -CONT $p
wait $p || fail "the skewed publish: $(cat "$TEST_TMP/bg.err")"
assert_eq "published by the skewed host" "published 2" "$(q "SELECT status || ' ' ||
	snapshot_version FROM market_inventory_snapshots WHERE booking_id = '$B'")"

# A host ten days ahead deletes nothing a day old by the database's clock.
q "UPDATE storage_bookings SET booking_status = 'cancelled' WHERE id = '$B'" >/dev/null
expect 0 reconcile "$B"
OUT=$(skewed +10d --json cleanup --older-than 1d) || fail "skewed cleanup: $OUT"
printf '%s\n' "$OUT" | grep -q '"deleted":0,' || fail "cleanup by the host's clock: $OUT"
assert_eq "the withdrawn snapshot kept" withdrawn \
	"$(q "SELECT status FROM market_inventory_snapshots WHERE booking_id = '$B'")"

# Runs are recorded at the database's time, and status computes ages there too.
skewed +10d --quiet sync-all
assert_eq "run recorded at the database's time" t "$(q "SELECT bool_and(finished_at
	BETWEEN now() - interval '1 minute' AND now()) FROM snapctl_runs")"
OUT=$(skewed -3d --json status) || true
printf '%s\n' "$OUT" | grep -q '"oldest_due_seconds":0' || fail "status ages by the host's clock: $OUT"
invariants
echo ok
