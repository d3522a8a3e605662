#!/bin/sh
# Runs one fuzz target for a bounded time, starting from its seed corpus (every file in it is
# run first, the crashes once found there included). New inputs go to a scratch directory,
# never into the repository; a crash's input is kept in CRASH_DIR (default: the scratch).
# Usage: run.sh FUZZER SEED_DIR SECONDS [CRASH_DIR]
set -eu
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
crashes=${4:-$work/crashes}
mkdir -p "$work/corpus" "$crashes"
rc=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
	-artifact_prefix="$crashes/" -print_final_stats=1 "$work/corpus" "$seeds" || rc=$?
for f in "$crashes"/*; do
	[ -f "$f" ] && echo "run.sh: crash input $f:" && od -An -c "$f" | head -20
done
exit "$rc"
