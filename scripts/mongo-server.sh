#!/usr/bin/env bash
# A throwaway MongoDB-wire server for tests, the demo and the benchmark, chosen by
# SNAPCTL_TEST_MONGO_SERVER:
#   ferretdb (default)  FerretDB v1.24.2 (tools/ferretdb/build.sh) backed by a PostgreSQL
#                       cluster of its own (scripts/pg-cluster.sh), on a Unix socket only,
#                       telemetry off;
#   java                mongo-java-server 1.47.0, memory backend (tools/mongo-java-server/), on
#                       127.0.0.1 and a free port (it has no Unix socket).
# With SNAPCTL_TEST_MONGO_URI set, that server (a real mongod) is used and nothing is started.
#   mongo-server.sh start ENVFILE   start it; write SNAPCTL_MONGO_URI and friends to ENVFILE
#   mongo-server.sh stop ENVFILE    stop it and remove every file it made
#   mongo-server.sh pause|resume ENVFILE   make the server unreachable or reachable again,
#                                          keeping its data
#
# Two workarounds for FerretDB, of the test stack only (the product speaks plain MongoDB):
# - FerretDB 1.24 pushes an equality filter down as `_jsonb->'f' @> $1`, but the indexes it
#   makes are btrees on `(_jsonb->'f')`, which cannot serve `@>`: every filtered write scans the
#   collection, and N upserts cost N^2. An event trigger in its cluster gives every backing
#   table it creates GIN jsonb_path_ops indexes on `_id` and `booking_id`, and its connections
#   run with enable_seqscan=off so the planner takes them even on small tables: linear.
# - Its pool is large: FerretDB holds one PostgreSQL connection per existing document a bulk
#   update command changes, and hangs for good when the pool runs out (51 with the default 50).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

gin_trigger() {
	psql -XAtq -v ON_ERROR_STOP=1 <<'SQL'
CREATE FUNCTION snapctl_test_gin() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE t regclass;
BEGIN
	FOR t IN SELECT objid::regclass FROM pg_event_trigger_ddl_commands()
	         WHERE object_type = 'table' LOOP
		CONTINUE WHEN NOT EXISTS (SELECT FROM pg_attribute
		                          WHERE attrelid = t AND attname = '_jsonb');
		EXECUTE format('CREATE INDEX ON %s USING gin ((_jsonb->''_id'') jsonb_path_ops)', t);
		EXECUTE format('CREATE INDEX ON %s USING gin ((_jsonb->''booking_id'') jsonb_path_ops)', t);
	END LOOP;
END $$;
CREATE EVENT TRIGGER snapctl_test_gin ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
	EXECUTE FUNCTION snapctl_test_gin();
SQL
}

launch_ferretdb() {
	local dir=$1 pghost i
	pghost=$(sed -n "s/^export PGHOST='\(.*\)'$/\1/p" "$dir/pg.env")
	"$(cat "$dir/bin")" --handler=postgresql \
		--postgresql-url="postgres://postgres@/postgres?host=$pghost&pool_max_conns=600&enable_seqscan=off" \
		--state-dir="$dir" --listen-addr= --listen-unix="$dir/mongodb.sock" --debug-addr=- \
		--telemetry=disable --log-level=warn >>"$dir/server.log" 2>&1 &
	echo $! >"$dir/pid"
	for i in $(seq 100); do
		[ -S "$dir/mongodb.sock" ] && return 0
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/server.log" >&2
	exit 1
}

# Writes a command to the Java server's control FIFO and waits for the state it leads to.
control() {
	local dir=$1 command=$2 state=$3 i
	echo "$command" >"$dir/control"
	for i in $(seq 200); do
		[ "$(cat "$dir/state" 2>/dev/null)" = "$state" ] && return 0
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.05
	done
	cat "$dir/server.log" >&2
	exit 1
}

start() {
	local envfile=$1 server=${SNAPCTL_TEST_MONGO_SERVER:-ferretdb} dir i
	if [ -n "${SNAPCTL_TEST_MONGO_URI:-}" ]; then
		printf "export SNAPCTL_MONGO_URI='%s'\n" "$SNAPCTL_TEST_MONGO_URI" >"$envfile"
		return 0
	fi
	dir=$(mktemp -d /tmp/snapmongo.XXXXXX)
	case $server in
	ferretdb)
		"$here/../tools/ferretdb/build.sh" >"$dir/bin"
		SNAPCTL_PG_MAX_CONNECTIONS=650 "$here/pg-cluster.sh" start "$dir/pg.env"
		(. "$dir/pg.env" && gin_trigger)
		launch_ferretdb "$dir"
		uri="mongodb://${dir//\//%2F}%2Fmongodb.sock"
		;;
	java)
		read -ra java < <("$here/../tools/mongo-java-server/build.sh")
		mkfifo "$dir/control"
		"${java[@]}" "$dir" >>"$dir/server.log" 2>&1 &
		echo $! >"$dir/pid"
		for i in $(seq 300); do
			[ -f "$dir/port" ] && break
			kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
			sleep 0.1
		done
		uri="mongodb://127.0.0.1:$(cat "$dir/port")"
		;;
	*)
		echo "mongo-server.sh: SNAPCTL_TEST_MONGO_SERVER is ferretdb or java, not '$server'" >&2
		exit 64
		;;
	esac
	cat >"$envfile" <<EOT
export SNAPCTL_TEST_MONGO_SERVER='$server'
export SNAPCTL_TEST_MONGODIR='$dir'
export SNAPCTL_MONGO_URI='$uri'
EOT
}

mongodir() {
	[ -f "$1" ] && sed -n "s/^export SNAPCTL_TEST_MONGODIR='\(.*\)'$/\1/p" "$1"
}

pause() {
	local dir
	dir=$(mongodir "$1") || return 0
	[ -n "$dir" ] && [ -f "$dir/pid" ] || return 0
	if [ -p "$dir/control" ]; then
		control "$dir" pause paused
		return 0
	fi
	kill "$(cat "$dir/pid")" 2>/dev/null || true
	while kill -0 "$(cat "$dir/pid")" 2>/dev/null; do sleep 0.05; done
	rm -f "$dir/pid" "$dir/mongodb.sock"
}

resume() {
	local dir
	dir=$(mongodir "$1")
	if [ -p "$dir/control" ]; then
		control "$dir" resume running
	else
		launch_ferretdb "$dir"
	fi
}

stop() {
	local dir pid
	dir=$(mongodir "$1") || true
	if [ -n "${dir:-}" ] && [ -f "$dir/pid" ]; then
		pid=$(cat "$dir/pid")
		kill "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	fi
	if [ -n "${dir:-}" ]; then
		[ ! -f "$dir/pg.env" ] || "$here/pg-cluster.sh" stop "$dir/pg.env"
		rm -rf "$dir"
	fi
	rm -f "$1"
}

case "${1:-}" in
start) start "${2:?envfile}" ;;
stop) stop "${2:?envfile}" ;;
pause) pause "${2:?envfile}" ;;
resume) resume "${2:?envfile}" ;;
*)
	echo "usage: $0 start|stop|pause|resume ENVFILE" >&2
	exit 64
	;;
esac
