#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build, test and demo snapctl, then builds it.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Usage: scripts/setup.sh [BUILD_DIR [CMAKE_ARGS...]]
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential cmake pkg-config libpq-dev libmongoc-dev libbson-dev libjson-c-dev
	libcmocka-dev postgresql postgresql-contrib clang-format mandoc valgrind util-linux
	procps bash-completion zsh fish clang libclang-rt-dev faketime pgbouncer time
	lintian man-db dpkg-dev systemd)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# The test harness and the demo make their own throwaway clusters: Debian's default
	# cluster would only hold a port and memory.
	$sudo mkdir -p /etc/postgresql-common/createcluster.d
	echo 'create_main_cluster = false' |
		$sudo tee /etc/postgresql-common/createcluster.d/snapctl-no-main.conf >/dev/null
	echo "setup: installing ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
	# The tests run PgBouncer of their own; Debian's service would only hold a port.
	$sudo systemctl disable --now pgbouncer >/dev/null 2>&1 || true
fi

# The MongoDB-wire servers of the tests and the demo (skipped when tests use a given server).
if [ -z "${SNAPCTL_TEST_MONGO_URI:-}" ]; then
	command -v go >/dev/null || { echo "setup: Go is needed to build FerretDB" >&2; exit 69; }
	tools/ferretdb/build.sh >/dev/null
	command -v mvn >/dev/null && command -v javac >/dev/null ||
		{ echo "setup: Maven and a JDK are needed for mongo-java-server" >&2; exit 69; }
	tools/mongo-java-server/build.sh >/dev/null
fi

build=${1:-build}
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
