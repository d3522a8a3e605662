#!/usr/bin/env bash
# The main job end to end on a local default stack: installs and builds what is missing,
# starts a throwaway PostgreSQL cluster and MongoDB-wire server (FerretDB), loads the reference
# source schema and demo data, then runs every subcommand. Both are removed on exit.
# Usage: scripts/demo.sh [BOOKINGS]    (default 300: FerretDB reads its whole collection for
# every filtered write, so publishing thousands takes minutes there; not so on MongoDB)
set -euo pipefail
cd "$(dirname "$0")/.."
bookings=${1:-300}

scripts/setup.sh build >/dev/null
snapctl=$PWD/build/cli/snapctl
. scripts/stack.sh
stack_up snapdemo

step() { printf '\n$ %s\n' "$*" >&2; }
run() {
	step "snapctl $*"
	"$snapctl" "$@"
}

step "load the reference source schema and $bookings demo bookings"
psql -XAq -v ON_ERROR_STOP=1 -f sql/source_schema.sql
psql -XAq -v ON_ERROR_STOP=1 -v bookings="$bookings" -f sql/demo_data.sql

run init-db --check
run init-db
run init-db --source-indexes
run upsert --all
run upsert --all
one=$(psql -XAtc "SELECT id FROM storage_bookings ORDER BY id LIMIT 1")
two=$(psql -XAtc "SELECT id FROM storage_bookings ORDER BY id OFFSET 1 LIMIT 1")
psql -XAqc "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id = '$one'"
run --json upsert "$one"
step "printf '%s\\n' $one $two | snapctl upsert --dry-run -"
printf '%s\n' "$one" "$two" | "$snapctl" upsert --dry-run -
run get "$one"
run sync-all --dry-run
run sync-all
run sync-all
run get --listing "$one"
run publish "$one"
run withdraw "$two"
psql -XAqc "INSERT INTO sensor_readings SELECT id, 4.5, 'C', now(), false FROM iot_sensors
            WHERE location_id = (SELECT location_id FROM storage_bookings WHERE id = '$one')"
run reconcile --dry-run
run reconcile
run reconcile
psql -XAqc "UPDATE market_inventory_snapshots SET status_changed_at = now() - interval '100 days'
            WHERE booking_id = '$two'"
run cleanup --dry-run --orphans
run cleanup --orphans
run list --status published --limit 5
run verify
run status
run cron
step "snapctl systemd    (the first of its six units)"
"$snapctl" systemd | awk '/^# ==> / { n++ } n < 2'
step "snapctl upsert 00000000-0000-0000-0000-000000000000    (an unknown booking)"
"$snapctl" upsert 00000000-0000-0000-0000-000000000000 || echo "exit code $?" >&2
printf '\ndemo: done; snapshots: %s\n' \
	"$(psql -XAtc "SELECT count(*) FROM market_inventory_snapshots")" >&2
