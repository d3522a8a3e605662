#!/usr/bin/env bash
# A throwaway MongoDB-wire server for tests, the demo and the benchmark: FerretDB (built by
# tools/ferretdb/build.sh) backed by a PostgreSQL cluster of its own (scripts/pg-cluster.sh;
# on SQLite every filtered write scans the collection: ten times slower at 2,000 listings),
# listening on a Unix socket only, telemetry off. Its pool is large: FerretDB 1.24 holds one
# PostgreSQL connection per existing document a bulk update command changes, and hangs for good
# when its pool runs out (51 with the default 50). With SNAPCTL_TEST_MONGO_URI set, that server
# is used instead and nothing is started.
#   mongo-server.sh start ENVFILE   start it; write SNAPCTL_MONGO_URI and friends to ENVFILE
#   mongo-server.sh stop ENVFILE    stop it and remove every file it made
#   mongo-server.sh pause|resume ENVFILE   stop or restart the server, keeping its data
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

launch() {
	local dir=$1 pghost
	pghost=$(sed -n "s/^export PGHOST='\(.*\)'$/\1/p" "$dir/pg.env")
	"$(cat "$dir/bin")" --handler=postgresql \
		--postgresql-url="postgres://postgres@/postgres?host=$pghost&pool_max_conns=600" --state-dir="$dir" \
		--listen-addr= --listen-unix="$dir/mongodb.sock" --debug-addr=- --telemetry=disable \
		--log-level=warn >>"$dir/server.log" 2>&1 &
	echo $! >"$dir/pid"
	local i
	for i in $(seq 100); do
		[ -S "$dir/mongodb.sock" ] && return 0
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/server.log" >&2
	exit 1
}

start() {
	local envfile=$1 dir
	if [ -n "${SNAPCTL_TEST_MONGO_URI:-}" ]; then
		printf "export SNAPCTL_MONGO_URI='%s'\n" "$SNAPCTL_TEST_MONGO_URI" >"$envfile"
		return 0
	fi
	dir=$(mktemp -d /tmp/snapmongo.XXXXXX)
	"$here/../tools/ferretdb/build.sh" >"$dir/bin"
	SNAPCTL_PG_MAX_CONNECTIONS=650 "$here/pg-cluster.sh" start "$dir/pg.env"
	launch "$dir"
	cat >"$envfile" <<EOT
export SNAPCTL_TEST_MONGODIR='$dir'
export SNAPCTL_MONGO_URI='mongodb://${dir//\//%2F}%2Fmongodb.sock'
EOT
}

mongodir() {
	[ -f "$1" ] && sed -n "s/^export SNAPCTL_TEST_MONGODIR='\(.*\)'$/\1/p" "$1"
}

pause() {
	local dir
	dir=$(mongodir "$1") || return 0
	[ -n "$dir" ] && [ -f "$dir/pid" ] || return 0
	kill "$(cat "$dir/pid")" 2>/dev/null || true
	while kill -0 "$(cat "$dir/pid")" 2>/dev/null; do sleep 0.05; done
	rm -f "$dir/pid" "$dir/mongodb.sock"
}

case "${1:-}" in
start) start "${2:?envfile}" ;;
stop)
	dir=$(mongodir "${2:?envfile}") || true
	pause "$2"
	if [ -n "${dir:-}" ]; then
		[ ! -f "$dir/pg.env" ] || "$here/pg-cluster.sh" stop "$dir/pg.env"
		rm -rf "$dir"
	fi
	rm -f "$2"
	;;
pause) pause "${2:?envfile}" ;;
resume) launch "$(mongodir "${2:?envfile}")" ;;
*)
	echo "usage: $0 start|stop|pause|resume ENVFILE" >&2
	exit 64
	;;
esac
