#!/usr/bin/env bash
# Builds FerretDB v1.24.2, the MongoDB-wire server of the test stack and the demo, as pinned by
# go.mod and go.sum here, and prints the binary's path. Cached: a second run builds nothing.
# The module as the Go proxy serves it lacks build/version/version.txt, a generated file the
# binary refuses to start without, so the build uses a copy of the module with it written.
# Usage: tools/ferretdb/build.sh [OUT_DIR]   (default: ~/.cache/snapctl/ferretdb-v1.24.2)
set -euo pipefail
cd "$(dirname "$0")"
version=v1.24.2
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/snapctl/ferretdb-$version}
if [ ! -x "$out/ferretdb" ]; then
	# go list -m leaves Dir empty until the module is in the cache: download it first.
	go mod download github.com/FerretDB/FerretDB
	src=$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
	[ -d "$src" ] || { echo "ferretdb: module source not found" >&2; exit 69; }
	work=$(mktemp -d)
	trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
	cp -r "$src" "$work/FerretDB"
	chmod -R u+w "$work/FerretDB"
	echo "$version" >"$work/FerretDB/build/version/version.txt"
	cp go.mod go.sum "$work/"
	(
		cd "$work"
		go mod edit -replace "github.com/FerretDB/FerretDB=$work/FerretDB"
		echo "ferretdb: building $version (about a minute)" >&2
		GOBIN="$out" go install github.com/FerretDB/FerretDB/cmd/ferretdb
	)
fi
echo "$out/ferretdb"
