# PgBouncer in transaction pooling mode (FAULTS 16): snapctl keeps no session state (init-db's
# lock is a transaction lock, settings are SET LOCAL, statements unnamed), so every command
# works through it, and concurrent runs sharing two server connections stay correct.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
command -v pgbouncer >/dev/null || { echo "no pgbouncer (scripts/setup.sh installs it)"; exit 77; }
new_db
demo_data 200

# Its own socket directory; as root, PgBouncer (which refuses root) runs as postgres.
bouncer=$TEST_TMP/bouncer
mkdir -p "$bouncer"
cat >"$bouncer/pgbouncer.ini" <<EOT
[databases]
* = host=$PGHOST port=$PGPORT user=$PGUSER
[pgbouncer]
listen_addr =
listen_port = 6544
unix_socket_dir = $bouncer
auth_type = any
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
logfile = $bouncer/pgbouncer.log
pidfile = $bouncer/pgbouncer.pid
EOT
if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres: "$bouncer"
	chmod 755 "$TEST_TMP"
	runuser -u postgres -- pgbouncer -d "$bouncer/pgbouncer.ini"
else
	pgbouncer -d "$bouncer/pgbouncer.ini"
fi
stop_bouncer() { kill "$(cat "$bouncer/pgbouncer.pid")" 2>/dev/null || true; }
trap 'stop_bouncer; cleanup' EXIT
wait_for_socket() {
	local i
	for i in $(seq 100); do
		[ -S "$bouncer/.s.PGSQL.6544" ] && return 0
		sleep 0.05
	done
	fail "pgbouncer did not start: $(cat "$bouncer/pgbouncer.log")"
}
wait_for_socket
export SNAPCTL_PG_URI="host=$bouncer port=6544 dbname=$PGDATABASE"

# CREATE INDEX CONCURRENTLY too, each in a transaction of its own.
expect 0 init-db --source-indexes
pids=()
for i in 1 2 3; do
	"$SNAPCTL" init-db >"$TEST_TMP/i$i" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || fail "concurrent init-db through PgBouncer: $(cat "$TEST_TMP"/i*)"
done
expect 0 upsert --all
n=$(q "SELECT count(*) FROM storage_bookings")
assert_eq "every booking" "$n" "$(q "SELECT count(*) FROM market_inventory_snapshots")"

# Concurrent runs over two server connections.
q "INSERT INTO sensor_readings SELECT id, 21.5, 'C', now(), true FROM iot_sensors" >/dev/null
pids=()
for i in 1 2 3; do
	"$SNAPCTL" --quiet sync-all --batch-size 20 >"$TEST_TMP/s$i" 2>&1 &
	pids+=($!)
done
"$SNAPCTL" --quiet upsert --all --batch-size 30 >"$TEST_TMP/u" 2>&1 &
pids+=($!)
for p in "${pids[@]}"; do
	wait "$p" || fail "a run through PgBouncer failed: $(cat "$TEST_TMP"/s* "$TEST_TMP/u")"
done
expect 0 sync-all
expect 0 --json reconcile
expect 0 sync-all
assert_eq "all settled" 0 "$(unsettled)"
q "UPDATE storage_bookings SET booking_status = 'cancelled' WHERE id = (SELECT booking_id
   FROM market_inventory_snapshots WHERE status = 'published' ORDER BY booking_id LIMIT 1)" >/dev/null
expect 0 --json reconcile
printf '%s\n' "$OUT" | grep -q '"withdrawn":1,' || fail "reconcile through PgBouncer: $OUT"
expect 0 cleanup --orphans
expect 0 status
expect 0 list --status withdrawn
invariants
echo ok
