# Sourced by every shell test: a private database on the test cluster, and assertions.
# The harness (tests/CMakeLists.txt) sets SNAPCTL (the binary), SNAPCTL_SRC (the source tree)
# SNAPCTL_PG_ENV (the cluster's libpq settings, written by scripts/pg-cluster.sh), its MongoDB
# counterpart SNAPCTL_MONGO_ENV, and SNAPCTL_TEST_MONGO_TOOL (tests/mongo/tool.c).
: "${SNAPCTL:?}" "${SNAPCTL_SRC:?}" "${SNAPCTL_PG_ENV:?}" "${SNAPCTL_MONGO_ENV:?}"
: "${SNAPCTL_TEST_MONGO_TOOL:?}"
# shellcheck disable=SC1090
. "$SNAPCTL_PG_ENV"
# shellcheck disable=SC1090
. "$SNAPCTL_MONGO_ENV"
unset SNAPCTL_PG_URI SNAPCTL_CONFIG
# shellcheck source=tests/common.sh
. "$SNAPCTL_SRC/tests/common.sh"
TEST_NAME=$(basename "$0" .sh)
export PGDATABASE="t_${TEST_NAME//-/_}"
# Each test's listings in a database of its own.
export SNAPCTL_MONGO_DB="$PGDATABASE"

cleanup() {
	local rc=$?
	# a stopped job takes its SIGTERM only once continued
	jobs -p | xargs -r kill -CONT 2>/dev/null || true
	jobs -p | xargs -r kill 2>/dev/null || true
	wait 2>/dev/null || true
	if [ "$rc" -eq 0 ]; then
		dropdb --if-exists -U postgres -d postgres "$PGDATABASE" 2>/dev/null || true
		"$SNAPCTL_TEST_MONGO_TOOL" drop "$SNAPCTL_MONGO_DB" 2>/dev/null || true
	else
		echo "FAILED: $TEST_NAME (database $PGDATABASE kept)" >&2
	fi
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# q SQL: the first column of the first row, unaligned.
q() {
	psql -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# A fresh database with the reference source schema, and no listings; with "init", snapctl's
# schema too.
new_db() {
	dropdb --if-exists "$PGDATABASE" 2>/dev/null || true
	"$SNAPCTL_TEST_MONGO_TOOL" drop "$SNAPCTL_MONGO_DB" || fail "cannot drop MongoDB database $SNAPCTL_MONGO_DB"
	PGDATABASE=postgres createdb "$PGDATABASE"
	psql -XAq -v ON_ERROR_STOP=1 -f "$SNAPCTL_SRC/sql/source_schema.sql"
	if [ "${1:-}" = init ]; then
		"$SNAPCTL" --quiet init-db
	fi
}

# wait_for SQL: polls until the query returns true (60 s at most).
wait_for() {
	local i
	for i in $(seq 6000); do
		[ "$(q "$1")" = t ] && return
		sleep 0.01
	done
	fail "timed out waiting for: $1"
}

# published_demo N: a fresh database with snapctl's schema and N demo bookings, every snapshot
# made and synced.
published_demo() {
	new_db init
	psql -XAq -v ON_ERROR_STOP=1 -v bookings="$1" -f "$SNAPCTL_SRC/sql/demo_data.sql"
	"$SNAPCTL" --quiet upsert --all
	"$SNAPCTL" --quiet sync-all
}

# pick N [STATUS]: the booking id of the snapshot N (from 0) in STATUS (default published), in
# booking order.
pick() {
	q "SELECT booking_id FROM market_inventory_snapshots WHERE status = '${2:-published}'
	   ORDER BY booking_id OFFSET $1 LIMIT 1"
}

# Deterministic races: a second session holding row locks while snapctl runs into them.
# wait_blocked: until a snapctl session waits on a lock.
wait_blocked() {
	local i
	for i in $(seq 200); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'snapctl'
		       AND wait_event_type = 'Lock' AND datname = current_database()")" -ge 1 ] &&
			return 0
		sleep 0.05
	done
	fail "snapctl never waited for the lock ($(cat "$TEST_TMP/hold.out")): $(q "SELECT string_agg(concat_ws(' ',
	      application_name, state, wait_event_type, wait_event, left(query, 60)), '; ')
	      FROM pg_stat_activity WHERE datname = current_database()")"
}

# A held transaction: psql reading statements from a fifo.
hold() {
	[ -p "$TEST_TMP/fifo" ] || mkfifo "$TEST_TMP/fifo"
	psql -XAq -v ON_ERROR_STOP=1 <"$TEST_TMP/fifo" >"$TEST_TMP/hold.out" 2>&1 &
	exec 7>"$TEST_TMP/fifo"
	printf '%s\n\\echo held\n' "$1" >&7
	# psql runs what it reads in order: "held" is printed once the statements ran.
	local i
	for i in $(seq 200); do
		grep -q '^held$' "$TEST_TMP/hold.out" && return 0
		sleep 0.05
	done
	fail "the holding session did not start: $(cat "$TEST_TMP/hold.out")"
}
release() {
	printf 'COMMIT;\n' >&7
	exec 7>&-
	wait "$1" || fail "the holding session failed: $(cat "$TEST_TMP/hold.out")"
}

# blocked_by SQL CMD...: a transaction holds what SQL locks ($holder) while CMD starts in the
# background ($p is CMD itself: use env for variables; its output in $TEST_TMP/bg.out and
# bg.err); returns once CMD waits for a lock.
blocked_by() {
	hold "BEGIN; $1"
	holder=$!
	shift
	"$@" >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" 7>&- &
	p=$!
	wait_blocked
}

# reap: waits for the run blocked_by started ($p); its exit code in $rc.
reap() {
	rc=0
	wait "$p" || rc=$?
}

# stop_blocked: SIGTERM to the run blocked_by started ($p), then its lock let go; the run's exit
# code in $rc.
stop_blocked() {
	kill -TERM "$p"
	release "$holder"
	reap
}

# blocked_on BOOKING CMD...: the same with BOOKING's snapshot row held.
blocked_on() {
	local booking=$1
	shift
	blocked_by "SELECT 1 FROM market_inventory_snapshots WHERE booking_id = '$booking' FOR UPDATE;" "$@"
}

# claimed_stopped BOOKING CMD...: as blocked_on, then stops CMD and lets the row go: returns
# once CMD's claim of BOOKING committed, CMD ($p) stopped before it writes anything.
claimed_stopped() {
	local booking=$1
	shift
	blocked_on "$booking" "$@"
	stopped_after_claim "booking_id = '$booking'"
}

# sweep_stopped CMD...: the same for a run that claims whatever is due (sync-all), which skips
# locked rows: CMD waits for the snapshot table at its claim instead.
sweep_stopped() {
	blocked_by "LOCK TABLE market_inventory_snapshots IN SHARE MODE;" "$@"
	stopped_after_claim true
}

stopped_after_claim() {
	kill -STOP "$p"
	release "$holder"
	wait_for "SELECT count(*) > 0 FROM market_inventory_snapshots
	          WHERE status = 'publishing' AND $1"
}

# Every listing, one line each (tests/mongo/tool.c): compare two to see what was written.
listings() {
	"$SNAPCTL_TEST_MONGO_TOOL" listings "$SNAPCTL_MONGO_DB" | sort
}

# run ARGS...: runs snapctl, keeping stdout in $OUT, stderr in $ERR and the exit code in $RC.
run() {
	set +e
	"$SNAPCTL" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	RC=$?
	set -e
	OUT=$(cat "$TEST_TMP/out")
	ERR=$(cat "$TEST_TMP/err")
}

# expect CODE ARGS...: runs snapctl and checks its exit code.
expect() {
	local code=$1
	shift
	run "$@"
	[ "$RC" -eq "$code" ] || fail "snapctl $*: exit $RC, expected $code; stderr: $ERR"
}

# one_line_error PATTERN: stderr is exactly one line and matches the extended regex.
one_line_error() {
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "expected one stderr line, got: $ERR"
	printf '%s\n' "$ERR" | grep -Eq -- "$1" || fail "stderr '$ERR' does not match '$1'"
}

# Every row of the snapshot table with its physical identity: changes if any row is written.
table_state() {
	q "SELECT count(*) || ':' || coalesce(md5(string_agg(ctid::text || xmin::text, ','
	   ORDER BY booking_id)), '') FROM market_inventory_snapshots"
}

# demo_data BOOKINGS [READINGS]: sql/demo_data.sql's bookings in the test database.
demo_data() {
	psql -XAq -v ON_ERROR_STOP=1 -v bookings="$1" ${2:+-v readings="$2"} \
		-f "$SNAPCTL_SRC/sql/demo_data.sql"
}

# booking N: the id of the booking N places from the first, in id order.
booking() {
	q "SELECT id FROM storage_bookings ORDER BY id OFFSET $1 LIMIT 1"
}

# How many snapshots are not settled (neither published, withdrawn nor completed).
unsettled() {
	q "SELECT count(*) FROM market_inventory_snapshots
	   WHERE status NOT IN ('published', 'withdrawn', 'completed')"
}

# The snapshot of booking $1 as "status version".
snapshot_state() {
	q "SELECT status || ' ' || snapshot_version FROM market_inventory_snapshots
	   WHERE booking_id = '$1'"
}

# The listing of booking $1 as "version _id", or "none".
listing() {
	local json
	local rc=0
	json=$("$SNAPCTL" get --listing "$1" 2>"$TEST_TMP/listing.err") || rc=$?
	case $rc in
	0) ;;
	66) echo none && return ;;
	*) echo "get --listing failed ($rc): $(cat "$TEST_TMP/listing.err")" && return ;;
	esac
	printf '%s\n' "$json" | tr -d ' \n' |
		sed -E 's/.*"_id":\{"\$oid":"([0-9a-f]{24})"\}.*"snapshot_version":([0-9]+).*/\2 \1/'
}

# One listing per published snapshot, at its version, under market_listing_id; none for a
# withdrawn or completed one; none without a snapshot; none twice for a booking; no snapshot
# left claimed. Every listing is copied into a temporary table and compared in one query.
invariants() {
	local bad
	"$SNAPCTL_TEST_MONGO_TOOL" listings "$SNAPCTL_MONGO_DB" >"$TEST_TMP/listings" ||
		fail "cannot read the listings"
	bad=$(psql -XAtq -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE l (booking_id text, version bigint, oid text, updated_at bigint);
\\copy l FROM '$TEST_TMP/listings'
SELECT coalesce(string_agg(problem, '; '), '') FROM (
  SELECT 'left publishing: ' || booking_id AS problem
    FROM market_inventory_snapshots WHERE status = 'publishing'
  UNION ALL
  SELECT 'listed ' || count(*) || ' times: ' || booking_id FROM l GROUP BY booking_id
    HAVING count(*) > 1
  UNION ALL
  SELECT 'published ' || s.booking_id || ' at ' || s.snapshot_version || ' under '
         || coalesce(s.market_listing_id, '-') || ', listing '
         || coalesce(l.version || ' under ' || l.oid, 'none')
    FROM market_inventory_snapshots s LEFT JOIN l ON l.booking_id = s.booking_id::text
    WHERE s.status = 'published' AND (l.booking_id IS NULL OR l.version <> s.snapshot_version
          OR l.oid IS DISTINCT FROM s.market_listing_id)
  UNION ALL
  SELECT s.status || ' ' || s.booking_id || ' still listed'
    FROM market_inventory_snapshots s JOIN l ON l.booking_id = s.booking_id::text
    WHERE s.status IN ('withdrawn', 'completed')
  UNION ALL
  SELECT 'listing without a snapshot: ' || l.booking_id FROM l
    WHERE NOT EXISTS (SELECT 1 FROM market_inventory_snapshots s
                      WHERE s.booking_id::text = l.booking_id)
  LIMIT 5) p;
SQL
	)
	[ -z "$bad" ] || fail "invariants: $bad"
}
