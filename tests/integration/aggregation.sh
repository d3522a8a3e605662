# Every aggregation rule and every FIX of SPEC section 3, on hand-made data.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init

# Ids: bookings b1..b5 as ...0b0N, locations ...0a0N, vendors ...0f0N, inspections ...0c0N,
# sensors ...050N, certificates ...0e0N / ...0d0N.
u() { printf '00000000-0000-0000-0000-%012d' "$1"; }
B1=$(u 1001) B2=$(u 1002) B3=$(u 1003) B4=$(u 1004) B5=$(u 1005)
psql -XAq -v ON_ERROR_STOP=1 <<SQL
INSERT INTO crop_inspections VALUES
	('$(u 3001)', 0.87, NULL, NULL, 10),
	('$(u 3002)', NULL, 'Très "frais" d''été', 'bruises', NULL),
	('$(u 3005)', 0.50, repeat('x', 120), 'none', 4);
INSERT INTO storage_bookings VALUES
	('$B1', '$(u 9001)', '$(u 2001)', '$(u 4001)', 'tomato', 500, 'A', 30,
	 '2026-01-02 03:04:05.5+02', NULL, '$(u 3001)', 'confirmed'),
	('$B2', '$(u 9002)', '$(u 2002)', '$(u 4002)', 'maïs "doux"', 20, NULL, 7,
	 '2026-01-02 00:00:00+00', '2026-01-09 00:00:00+00', '$(u 3002)', 'ACTIVE'),
	('$B3', NULL, '$(u 2003)', NULL, 'rice', NULL, NULL, NULL, NULL, NULL, '$(u 3999)', NULL),
	('$B4', '$(u 9004)', '$(u 2004)', '$(u 4001)', 'onion', 1, 'B', 1, NULL, NULL, NULL,
	 'Pending'),
	('$B5', '$(u 9005)', '$(u 2001)', '$(u 4001)', 'kale', 2, 'C', 2, NULL, NULL, '$(u 3005)',
	 'CANCELLED');
-- Location 1: two temperature sensors whose latest readings tie (lowest id shown), a
-- maintenance humidity sensor, a co2 sensor without readings. The alerting reading is not
-- shown, so health is good.
INSERT INTO iot_sensors VALUES
	('$(u 5001)', '$(u 2001)', 'temperature', 'active'),
	('$(u 5002)', '$(u 2001)', 'temperature', NULL),
	('$(u 5003)', '$(u 2001)', 'humidity', 'maintenance'),
	('$(u 5004)', '$(u 2001)', 'co2', 'active'),
	('$(u 5005)', '$(u 2002)', 'temperature', NULL),
	('$(u 5006)', '$(u 2002)', 'temperature', 'inactive');
INSERT INTO sensor_readings VALUES
	('$(u 5001)', 2.0, '°C', '2025-12-31 00:00:00+00', true),
	('$(u 5001)', 3.5, NULL, '2026-01-02 03:04:05+02', NULL),
	('$(u 5002)', 5.0, '°C', '2026-01-02 03:04:05+02', true),
	('$(u 5002)', 9.0, '°C', '2026-01-01 00:00:00+00', true),
	('$(u 5003)', 80, '%', '2026-01-02 03:04:05.25+02', false),
	-- Location 2: the newest reading of the type alerts and is shown.
	('$(u 5005)', 7.25, '°C', now() - interval '1 hour', true),
	('$(u 5006)', 6.0, '°C', now() - interval '3 hours', false);
-- Location 1: a resolved HIGH (no alert), a detection with every nullable column NULL, one
-- critical outside the window, one without a time. Location 2: an unresolved Critical.
INSERT INTO pest_detections VALUES
	('$(u 2001)', 'weevil', 'HIGH', 0.9, now() - interval '1 day', 'fumigated', now()),
	('$(u 2001)', NULL, NULL, NULL, now() - interval '2 days', NULL, NULL),
	('$(u 2001)', 'moth', 'critical', 0.8, now() - interval '8 days', NULL, NULL),
	('$(u 2001)', 'moth', 'critical', 0.8, NULL, NULL, NULL),
	('$(u 2002)', 'rodent', 'Critical', 0.7, now() - interval '3 hours', NULL, NULL);
-- Location 4: 60 detections in the window; 50 are kept, all are counted.
INSERT INTO pest_detections
SELECT '$(u 2004)', 'mite', 'low', 0.5, now() - g * interval '1 minute', NULL, NULL
FROM generate_series(1, 60) g;
-- Vendor 1: valid without expiry, valid expiring today (UTC), expired yesterday, revoked,
-- a second HACCP. Vendor 2 has none.
INSERT INTO compliance_certificates VALUES
	('$(u 6001)', '$(u 4001)', 'HACCP', NULL, NULL, NULL, NULL, 'VALID', NULL, NULL),
	('$(u 6002)', '$(u 4001)', 'ISO22000', 'I-2', 'ISO', '2020-01-01',
	 (now() AT TIME ZONE 'UTC')::date - 1, 'valid', 'https://x/2', 70),
	('$(u 6003)', '$(u 4001)', 'GlobalGAP', 'G-3', 'GG', '2025-01-01',
	 (now() AT TIME ZONE 'UTC')::date, 'valid', 'https://x/3', 80),
	('$(u 6004)', '$(u 4001)', 'Organic', 'O-4', 'EU', NULL, NULL, 'revoked', NULL, 90),
	('$(u 6005)', '$(u 4001)', 'HACCP', 'H-5', 'FSA', '2025-06-01', '2099-12-31', 'Valid',
	 NULL, 95);
-- Storage certificates: status NULL (issued), pending, revoked.
INSERT INTO storage_certificates VALUES
	('$(u 7001)', '$B1', 'SC-1', '2026-01-03 10:00:00+00', NULL, 'sig', '$(u 9999)'),
	('$(u 7002)', '$B2', 'SC-2', NULL, 'pending', NULL, NULL),
	('$(u 7003)', '$B3', 'SC-3', NULL, 'revoked', NULL, NULL);
SQL

expect 0 --json upsert "$B1" "$B2" "$B3" "$B4" "$B5"
assert_eq "first upsert output" "$(for b in $B1 $B2 $B3 $B4 $B5; do
	printf '{"booking_id":"%s","action":"created","status":"ready_to_publish","snapshot_version":1}\n' "$b"
done)" "$OUT"

# col BOOKING EXPR: an expression over the booking's snapshot row.
col() { q "SELECT $2 FROM market_inventory_snapshots WHERE booking_id = '$1'"; }

# Rule 1: booking fields as they are.
assert_eq "booking fields" "$(u 9001)|$(u 2001)|$(u 4001)|tomato|500|A|30|confirmed" \
	"$(col "$B1" "concat_ws('|', farmer_id, location_id, vendor_id, crop_type, quantity_kg,
	   grade, duration_days, booking_status)")"
assert_eq "booking NULLs" "t" \
	"$(col "$B3" "farmer_id IS NULL AND quantity_kg IS NULL AND grade IS NULL
	   AND start_date IS NULL AND booking_status IS NULL AND vendor_id IS NULL")"
assert_eq "unicode and quotes" 'maïs "doux"' "$(col "$B2" crop_type)"

# Rule 2: the inspection the booking points to; score 0..100 (FIX), NULL stays NULL (FIX).
assert_eq "inspection found" "$(u 3001)|completed|87.00|unknown||10" \
	"$(col "$B1" "concat_ws('|', inspection_id, inspection_status, quality_score, freshness,
	   visual_defects, shelf_life_days)")"
assert_eq "NULL score stays NULL" "completed|t|Très \"frais\" d'été|bruises|t" \
	"$(col "$B2" "concat_ws('|', inspection_status, quality_score IS NULL, freshness,
	   visual_defects, shelf_life_days IS NULL)")"
assert_eq "dangling inspection" "pending|t|unknown||t" \
	"$(col "$B3" "concat_ws('|', inspection_status, quality_score IS NULL, freshness,
	   visual_defects, shelf_life_days IS NULL)")"
assert_eq "no inspection" "pending|unknown" \
	"$(col "$B4" "concat_ws('|', inspection_status, freshness)")"
assert_eq "120-character freshness" "120" "$(col "$B5" "length(freshness)")"

# Rule 3: sensors, latest reading each; ties on time go to the lowest sensor id (FIX); the
# sensor's own status (FIX); a sensor without readings is skipped; summary over latest values.
assert_eq "sensors of location 1" \
	'{"humidity": {"unit": "%", "value": 80, "status": "maintenance", "reading_time": "2026-01-02T01:04:05.250000+00:00", "alert_triggered": false}, "temperature": {"unit": "", "value": 3.5, "status": "active", "reading_time": "2026-01-02T01:04:05+00:00", "alert_triggered": false}}' \
	"$(col "$B1" sensors)"
assert_eq "summary of location 1" \
	'{"humidity_avg": 80.00, "humidity_max": 80, "humidity_min": 80, "humidity_count": 1, "temperature_avg": 4.25, "temperature_max": 5, "temperature_min": 3.5, "temperature_count": 2}' \
	"$(col "$B1" sensor_summary)"
assert_eq "health: alert not shown (FIX)" good "$(col "$B1" "snap_metadata->>'sensor_health'")"
assert_eq "newest sensor of a type, NULL status" '7.25|active|true' \
	"$(col "$B2" "concat_ws('|', sensors->'temperature'->>'value',
	   sensors->'temperature'->>'status', sensors->'temperature'->>'alert_triggered')")"
assert_eq "health: shown alert" alert "$(col "$B2" "snap_metadata->>'sensor_health'")"
assert_eq "no sensors" '{}|{}|no_data' \
	"$(col "$B3" "concat_ws('|', sensors, sensor_summary, snap_metadata->>'sensor_health')")"

# Rule 4: pests in the last 7 days on the database clock (FIX), newest first, defaults;
# alerts only from unresolved high/critical (FIX); events capped at 50, count not.
assert_eq "pests of location 1" \
	'2|false|weevil,HIGH,0.9,fumigated,true|unknown,low,0,monitoring,false' \
	"$(col "$B1" "pest_count || '|' || has_pest_alerts || '|' || (SELECT string_agg(concat_ws(',',
	   e->>'pest_type', e->>'severity', e->>'confidence', e->>'action_taken', e->>'resolved'),
	   '|' ORDER BY o) FROM jsonb_array_elements(pest_events) WITH ORDINALITY x(e, o))")"
assert_eq "unresolved Critical alerts" "1|t|true" \
	"$(col "$B2" "concat_ws('|', pest_count, has_pest_alerts, snap_metadata->'pest_alert_active')")"
assert_eq "events capped, count not" "60|50|f" \
	"$(col "$B4" "concat_ws('|', pest_count, jsonb_array_length(pest_events), has_pest_alerts)")"
assert_eq "newest event first" "t" \
	"$(col "$B4" "(pest_events->0->>'detected_at') > (pest_events->49->>'detected_at')")"
assert_eq "no pests" "0|[]|f" \
	"$(col "$B3" "concat_ws('|', pest_count, pest_events, has_pest_alerts)")"

# Rule 5: valid and unexpired vendor certificates (FIX), by (type, id), then the storage
# certificate; only an issued storage certificate certifies (FIX).
assert_eq "certificates of booking 1" \
	"GlobalGAP:$(u 6003),HACCP:$(u 6001),HACCP:$(u 6005),storage_certificate:$(u 7001)" \
	"$(col "$B1" "(SELECT string_agg((e->>'type') || ':' || (e->>'id'), ',' ORDER BY o)
	   FROM jsonb_array_elements(certificates) WITH ORDINALITY x(e, o))")"
assert_eq "vendor certificate defaults" \
	'{"id": "'"$(u 6001)"'", "type": "HACCP", "score": 0, "issuer": "unknown", "status": "VALID", "issue_date": null, "expiry_date": null, "document_url": "", "certificate_number": ""}' \
	"$(col "$B1" "certificates->1")"
assert_eq "storage certificate" \
	'{"id": "'"$(u 7001)"'", "type": "storage_certificate", "status": "issued", "issued_by": "'"$(u 9999)"'", "issued_date": "2026-01-03T10:00:00+00:00", "digital_signature": "sig", "certificate_number": "SC-1"}' \
	"$(col "$B1" "certificates->3")"
assert_eq "types of booking 1" '{GlobalGAP,HACCP,storage_certificate}|t' \
	"$(col "$B1" "concat_ws('|', certification_types, is_certified)")"
assert_eq "pending storage certificate" 'pending|f|{}' \
	"$(col "$B2" "concat_ws('|', certificates->0->>'status', is_certified, certification_types)")"
assert_eq "revoked storage certificate" '1|f' \
	"$(col "$B3" "concat_ws('|', jsonb_array_length(certificates), is_certified)")"
assert_eq "vendor certificates only" '{GlobalGAP,HACCP}|t|3' \
	"$(col "$B4" "concat_ws('|', certification_types, is_certified,
	   jsonb_array_length(certificates))")"

# Rule 6: snap_metadata.
assert_eq "metadata" \
	'{"is_certified": true, "sensor_health": "good", "special_notes": "", "buyer_contacts": [], "pest_alert_active": false, "certification_types": ["GlobalGAP", "HACCP", "storage_certificate"]}' \
	"$(col "$B1" "snap_metadata - 'last_updated'")"

# Rule 7: timestamps in UTC with an explicit offset; byte-identical output on a second run.
"$SNAPCTL" get "$B1" >"$TEST_TMP/get1"
grep -q '"start_date": "2026-01-02T01:04:05.500000+00:00"' "$TEST_TMP/get1" ||
	fail "get does not print start_date in UTC: $(cat "$TEST_TMP/get1")"
grep -Eq '"last_updated": "[0-9-]{10}T[0-9:.]{8,15}\+00:00"' "$TEST_TMP/get1" ||
	fail "last_updated is not ISO 8601 UTC"
before=$(table_state)
expect 0 upsert "$B1" "$B2" "$B3" "$B4" "$B5"
assert_eq "second run" "$(for b in $B1 $B2 $B3 $B4 $B5; do
	printf '%s unchanged (ready_to_publish, version 1)\n' "$b"
done)" "$OUT"
assert_eq "unchanged writes nothing" "$before" "$(table_state)"
# An id given again, in any case, is one booking: reported once, where it first came.
B2U=$(printf '%s' "$B2" | tr a-f A-F)
expect 0 upsert "$B2" "$B1" "$B2U" "$B1" "$B2"
assert_eq "repeated ids" "$(for b in $B2 $B1; do
	printf '%s unchanged (ready_to_publish, version 1)\n' "$b"
done)" "$OUT"
"$SNAPCTL" get "$B1" >"$TEST_TMP/get2"
cmp -s "$TEST_TMP/get1" "$TEST_TMP/get2" || fail "get output differs between runs"

# Unchanged content keeps the status; a change makes a new version, ready to publish again,
# and created_at is never rewritten (FIX).
q "UPDATE market_inventory_snapshots SET status = 'published', published_version = 1
   WHERE booking_id = '$B1'" >/dev/null
created=$(col "$B1" created_at)
expect 0 upsert "$B1"
assert_eq "unchanged keeps status" "$B1 unchanged (published, version 1)" "$OUT"
q "INSERT INTO sensor_readings VALUES ('$(u 5003)', 81, '%', now(), false)" >/dev/null
expect 0 --json upsert "$B1"
assert_eq "content change" \
	"{\"booking_id\":\"$B1\",\"action\":\"updated\",\"status\":\"ready_to_publish\",\"snapshot_version\":2}" \
	"$OUT"
assert_eq "created_at kept" "$created" "$(col "$B1" created_at)"
assert_eq "updated_at moved" "t" "$(col "$B1" "updated_at > created_at")"
assert_eq "new humidity" "81" "$(col "$B1" "sensors->'humidity'->>'value'")"

# A booking field change is a content change too; --dry-run reports it and writes nothing.
q "UPDATE storage_bookings SET quantity_kg = 501 WHERE id = '$B1'" >/dev/null
before=$(table_state)
expect 0 upsert --dry-run "$B1"
assert_eq "dry run reports" "$B1 would be updated (ready_to_publish, version 3)" "$OUT"
assert_eq "dry run writes nothing" "$before" "$(table_state)"
expect 0 upsert "$B1"
assert_eq "booking change" "$B1 updated (ready_to_publish, version 3)" "$OUT"

# Every kind of source change reaches the snapshot, and changes that do not alter the content
# write nothing. (Unchanged bookings are found by a hash of their parts: a part missing from
# it would leave snapshots stale, which this catches.)
expect_action() { # WHAT ACTION BOOKING SQL
	q "$4" >/dev/null
	expect 0 upsert "$3"
	printf '%s\n' "$OUT" | grep -q "^$3 $2 " || fail "$1: expected $2, got: $OUT"
}
expect_action "inspection score" updated "$B1" "UPDATE crop_inspections SET freshness_score = 0.5 WHERE id = '$(u 3001)'"
expect_action "inspection defects" updated "$B1" "UPDATE crop_inspections SET visual_defects = 'dents' WHERE id = '$(u 3001)'"
expect_action "sensor status" updated "$B1" "UPDATE iot_sensors SET status = 'inactive' WHERE id = '$(u 5003)'"
expect_action "summary only" updated "$B1" "INSERT INTO sensor_readings VALUES ('$(u 5002)', 6.0, '°C', '2026-01-02 01:04:05+00', true)"
expect_action "new pest" updated "$B1" "INSERT INTO pest_detections VALUES ('$(u 2001)', 'ant', 'low', 0.1, now(), NULL, NULL)"
expect_action "pest resolved" updated "$B2" "UPDATE pest_detections SET resolved_at = now() WHERE location_id = '$(u 2002)'"
expect_action "old pest" unchanged "$B1" "INSERT INTO pest_detections VALUES ('$(u 2001)', 'ant', 'high', 0.1, now() - interval '30 days', NULL, NULL)"
expect_action "vendor certificate expires" updated "$B1" "UPDATE compliance_certificates SET expiry_date = '2020-01-01' WHERE id = '$(u 6003)'"
expect_action "revoked one revoked again" unchanged "$B1" "UPDATE compliance_certificates SET score = 1 WHERE id = '$(u 6004)'"
expect_action "storage certificate revoked" updated "$B1" "UPDATE storage_certificates SET certificate_status = 'revoked' WHERE id = '$(u 7001)'"
expect_action "new storage certificate" updated "$B4" "INSERT INTO storage_certificates VALUES ('$(u 7004)', '$B4', 'SC-4', NULL, 'issued', NULL, NULL)"
expect_action "booking status" updated "$B5" "UPDATE storage_bookings SET booking_status = 'COMPLETED' WHERE id = '$B5'"
expect_action "inspection repointed" updated "$B4" "UPDATE storage_bookings SET ai_inspection_id = '$(u 3002)' WHERE id = '$B4'"
assert_eq "repointed inspection" "completed|Très \"frais\" d'été" \
	"$(col "$B4" "concat_ws('|', inspection_status, freshness)")"
assert_eq "certified by vendor only" '{HACCP}|f' \
	"$(col "$B1" "concat_ws('|', certification_types, certificates->-1->>'status' = 'issued')")"

# The pest event limit is configurable.
printf 'pest_event_limit = 5\n' >"$TEST_TMP/conf"
expect 0 --config "$TEST_TMP/conf" upsert "$B4"
assert_eq "limit 5" "5|60" \
	"$(col "$B4" "jsonb_array_length(pest_events) || '|' || pest_count")"
echo "ok"
