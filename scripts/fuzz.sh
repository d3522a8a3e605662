#!/usr/bin/env bash
# Runs every fuzz target (tests/fuzz) for longer than the test suite does, from its seed corpus.
# A crash's input lands in build-fuzz/crashes/<target>/: add it to tests/fuzz/corpus/<target>/
# (it then runs in every suite) and fix what it found.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]   (default 300, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
scripts/setup.sh build-fuzz -DCMAKE_C_COMPILER=clang -DSNAPCTL_FUZZ=ON -DSNAPCTL_TESTS=OFF \
	-DSNAPCTL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
targets=("$@")
((${#targets[@]})) || targets=($(cd tests/fuzz/corpus && ls))
rc=0
for t in "${targets[@]}"; do
	mkdir -p "build-fuzz/crashes/$t"
	echo "fuzz.sh: $t for ${seconds}s" >&2
	tests/fuzz/run.sh "build-fuzz/tests/fuzz/$t" "tests/fuzz/corpus/$t" "$seconds" \
		"build-fuzz/crashes/$t" 2>&1 | grep -E '^(stat::|run.sh|.*property broken|SUMMARY)' || true
	[ -z "$(ls -A "build-fuzz/crashes/$t")" ] || rc=1
done
exit "$rc"
