#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, the demo and the benchmark.
#   pg-cluster.sh start ENVFILE   make and start a cluster; write its libpq settings to ENVFILE
#   pg-cluster.sh stop ENVFILE    stop it and remove every file it made
#   pg-cluster.sh restart ENVFILE restart it (fast shutdown: every connection is cut), data kept
# The cluster listens on a Unix socket in a short private directory only (no TCP port to clash
# with), trusts local connections and runs with fsync=off: it holds test data, nothing else.
# initdb refuses to run as root, so as root the cluster belongs to the 'postgres' user.
# SNAPCTL_PG_MAX_CONNECTIONS sets max_connections (default 200).
set -euo pipefail

bindir=$(pg_config --bindir)
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start() {
	local envfile=$1 dir
	dir=$(mktemp -d /tmp/snappg.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off" \
		-o "-c synchronous_commit=off -c full_page_writes=off" \
		-o "-c max_connections=${SNAPCTL_PG_MAX_CONNECTIONS:-200}" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	cat >"$envfile" <<EOT
export SNAPCTL_TEST_PGDIR='$dir'
export PGHOST='$dir'
export PGPORT=5432
export PGUSER=postgres
export PGDATABASE=postgres
unset PGPASSWORD PGSERVICE PGSERVICEFILE PGOPTIONS
EOT
}

stop() {
	local envfile=$1 dir
	[ -f "$envfile" ] || return 0
	dir=$(sed -n "s/^export SNAPCTL_TEST_PGDIR='\(.*\)'$/\1/p" "$envfile")
	if [ -n "$dir" ] && [ -d "$dir/data" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
		rm -rf "$dir"
	fi
	rm -f "$envfile"
}

restart() {
	local dir
	dir=$(sed -n "s/^export SNAPCTL_TEST_PGDIR='\(.*\)'$/\1/p" "$1")
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart >/dev/null
}

case "${1:-}" in
start) start "${2:?envfile}" ;;
stop) stop "${2:?envfile}" ;;
restart) restart "${2:?envfile}" ;;
*)
	echo "usage: $0 start|stop|restart ENVFILE" >&2
	exit 64
	;;
esac
