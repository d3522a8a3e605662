# init-db on a fresh database: concurrent runs, idempotence, --check, --source-indexes.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db

# Four at once: all succeed, one applies the migration. mongo-java-server creates a collection
# non-atomically (a read racing the creation may fail; tests/mongo/behaviour.c), so there the
# listings collection is made first.
if [ "${SNAPCTL_TEST_MONGO_SERVER:-}" = java ] && [ -z "${SNAPCTL_TEST_MONGO_URI:-}" ]; then
	"$SNAPCTL_TEST_MONGO_TOOL" insert "$SNAPCTL_MONGO_DB" '{"booking_id": "made first"}'
	"$SNAPCTL_TEST_MONGO_TOOL" delete "$SNAPCTL_MONGO_DB" "made first"
fi
for i in 1 2 3 4; do
	(rc=0
	 "$SNAPCTL" --json init-db >"$TEST_TMP/out.$i" 2>"$TEST_TMP/err.$i" || rc=$?
	 echo "$rc" >"$TEST_TMP/rc.$i") &
done
wait
for i in 1 2 3 4; do
	assert_eq "exit code of init-db $i ($(cat "$TEST_TMP/err.$i"))" 0 "$(cat "$TEST_TMP/rc.$i")"
done
assert_eq "applied once" "1" "$(grep -l '"migrations":\[{' "$TEST_TMP"/out.* | wc -l)"
assert_eq "schema version" "7" "$(q "SELECT max(version) FROM snapctl_schema_migrations")"
assert_eq "a fresh table holds no legacy upgrade" '"legacy_upgrade":false
"legacy_upgrade":false
"legacy_upgrade":false
"legacy_upgrade":false
"legacy_upgrade":false
"legacy_upgrade":false
"legacy_upgrade":false' "$(grep -ho '"legacy_upgrade":[a-z]*' "$TEST_TMP"/out.*)"
# Each listing index is reported by at most the one run that created it (MongoDB's
# numIndexesBefore/After), and is there. FerretDB and mongo-java-server are not MongoDB:
# concurrent createIndexes may each count the index as new (tests/mongo/behaviour.c records it
# by server), so on them only its presence is checked.
if [ -n "${SNAPCTL_TEST_MONGO_URI:-}" ]; then
	for index in booking_id_1 farmer_id_1; do
		[ "$(cat "$TEST_TMP"/out.* | grep -o "\"$index\"" | wc -l)" -le 1 ] ||
			fail "$index reported as created by several runs"
	done
fi
expect 0 --json init-db --check
printf '%s\n' "$OUT" | grep -q '"listing_indexes_to_create":\[\]' || fail "listing indexes: $OUT"

# Missing source indexes are warnings, one line each, on stderr.
expect 0 init-db
assert_eq "stdout" "schema version 7 (this snapctl: 7)" "$OUT"
assert_eq "warnings" 6 "$(printf '%s\n' "$ERR" | grep -c "^snapctl: warning: no index on ")"

expect 0 init-db --check --source-indexes
assert_eq "check" "would create index snapctl_compliance_certificates_vendor_idx on compliance_certificates (vendor_id)
would create index snapctl_iot_sensors_location_idx on iot_sensors (location_id)
would create index snapctl_pest_detections_location_time_idx on pest_detections (location_id, detected_at)
would create index snapctl_sensor_readings_sensor_time_idx on sensor_readings (sensor_id, reading_time)
would create index snapctl_storage_bookings_location_idx on storage_bookings (location_id, id)
would create index snapctl_storage_certificates_booking_idx on storage_certificates (booking_id)
schema version 7 (this snapctl: 7)" "$OUT"
assert_eq "check created nothing" 0 \
	"$(q "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'snapctl\\_%\\_idx'
	   AND tablename <> 'market_inventory_snapshots'")"

# A platform that already has an index serving a need keeps it and gets no second one.
q "CREATE INDEX platform_readings ON sensor_readings (sensor_id, reading_time DESC)" >/dev/null
expect 0 --json init-db --source-indexes
assert_eq "created" '{"check":false,"schema_version":7,"target_version":7,"migrations":[],"source_indexes_created":["snapctl_compliance_certificates_vendor_idx","snapctl_iot_sensors_location_idx","snapctl_pest_detections_location_time_idx","snapctl_storage_bookings_location_idx","snapctl_storage_certificates_booking_idx"],"source_indexes_missing":[],"listing_indexes_created":[],"duplicate_listings":[]}' "$OUT"
assert_eq "valid indexes" 5 \
	"$(q "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	   WHERE c.relname LIKE 'snapctl\\_%\\_idx' AND i.indisvalid
	     AND i.indrelid <> 'market_inventory_snapshots'::regclass")"
expect 0 init-db --source-indexes
assert_eq "nothing left to do" "schema version 7 (this snapctl: 7)" "$OUT"
assert_eq "no warnings" "" "$ERR"

# A process killed earlier under the same PID left libmongoc's counters segment behind:
# still nothing on stderr (the MongoDB driver must not write there on its own).
if [ -d /dev/shm ]; then
	set +e
	# shellcheck disable=SC2016
	bash -c 'echo $$ >"$1" && touch "/dev/shm/mongoc-$$" && shift && exec "$@"' _ \
		"$TEST_TMP/pid" "$SNAPCTL" init-db >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	RC=$?
	set -e
	rm -f "/dev/shm/mongoc-$(cat "$TEST_TMP/pid")"
	assert_eq "stale counters segment: exit" 0 "$RC"
	assert_eq "stale counters segment: no warnings" "" "$(cat "$TEST_TMP/err")"
fi
# A schema newer than this snapctl (FAULTS 18): refused with exit 78, nothing changed.
q "INSERT INTO snapctl_schema_migrations (version, description) VALUES (99, 'future')" >/dev/null
expect 78 init-db
one_line_error "schema version 99 is newer than this snapctl knows \(7\): upgrade snapctl"
assert_eq "nothing changed" 99 "$(q "SELECT max(version) FROM snapctl_schema_migrations")"
q "DELETE FROM snapctl_schema_migrations WHERE version = 99" >/dev/null
echo ok
