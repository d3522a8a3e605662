# Every command's main paths, error paths included, under valgrind: no invalid access, no
# definite leak. (The sanitizer build covers the rest of the suite; the two do not mix.)
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
[ "${SNAPCTL_SANITIZE:-0}" != 1 ] || exit 77
command -v valgrind >/dev/null || exit 77
new_db
demo_data 30 2
B=$(booking 0)

vg() {
	local code=$1
	shift
	set +e
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$TEST_TMP/vg.log" "$SNAPCTL" "$@" >/dev/null 2>"$TEST_TMP/vg.err"
	local rc=$?
	set -e
	[ "$rc" -eq "$code" ] || fail "snapctl $*: exit $rc (expected $code): $(cat "$TEST_TMP/vg.log" "$TEST_TMP/vg.err")"
}
vg 0 --json init-db --source-indexes
vg 0 init-db --check
vg 0 upsert --all --batch-size 7
vg 0 --json upsert "$B"
vg 0 -vv --log-format json upsert --dry-run "$B"
printf '%s\n' "$B" "$B" >"$TEST_TMP/ids"
vg 0 upsert --batch-size 1 - <"$TEST_TMP/ids"
vg 0 get "$B"
vg 0 sync-all --batch-size 7
vg 0 get --listing "$B"
vg 0 publish "$B"
q "INSERT INTO sensor_readings SELECT id, 9.5, 'C', now(), true FROM iot_sensors" >/dev/null
vg 0 reconcile --dry-run
vg 0 --json reconcile --batch-size 4
vg 0 withdraw "$B"
q "UPDATE market_inventory_snapshots SET status_changed_at = now() - interval '1 year'
   WHERE status IN ('withdrawn', 'completed')" >/dev/null
vg 0 cleanup --dry-run --orphans
vg 0 --json cleanup --orphans --batch-size 3
"$SNAPCTL_TEST_MONGO_TOOL" update "$SNAPCTL_MONGO_DB" '*' '{"grade": "by hand"}'
vg 3 --json verify --batch-size 3
vg 0 verify --repair --batch-size 3
vg 66 --mongo "mongodb://u:pw@h/?tlsCertificateKeyFilePassword=k" get "$B"
vg 69 --mongo "mongodb://%2Fnowhere%2Fmongodb.sock/?serverSelectionTimeoutMS=200" sync-all
vg 64 upsert --bogus
vg 65 upsert "$B" nope
vg 66 upsert 00000000-0000-0000-0000-000000000000
vg 69 --pg "host=$TEST_TMP/nowhere" get "$B"
vg 78 --pg "postgresql://u:pw@[" get "$B"
echo ok
