# tests/FAULTS.md has a row for every case of the fault catalogue, and every test it names
# exists. The catalogue is ../shared/FAULTS.md beside the checkout when there is one; else the
# 38 cases it had when this test was written.
set -euo pipefail
: "${SNAPCTL_SRC:?}"
map=$SNAPCTL_SRC/tests/FAULTS.md
catalogue=$SNAPCTL_SRC/../shared/FAULTS.md
if [ -f "$catalogue" ]; then
	cases=$(sed -n 's/^| \([0-9][0-9]*\) |.*/\1/p' "$catalogue")
else
	cases=$(seq 38)
fi
[ -n "$cases" ] || { echo "FAIL: no case in $catalogue" >&2; exit 1; }
bad=0
for n in $cases; do
	grep -q "^| $n |" "$map" || { echo "FAIL: case $n has no row in tests/FAULTS.md" >&2; bad=1; }
done
# Every test a row names is there.
for t in $(sed -n 's/^| [0-9]* | [^|]* | \([^|]*\) |.*/\1/p' "$map" | tr ',' '\n' |
	grep -oE '[a-z]+/[a-z_]+\.(sh|c)'); do
	[ -f "$SNAPCTL_SRC/tests/$t" ] || { echo "FAIL: tests/FAULTS.md names tests/$t" >&2; bad=1; }
done
[ $bad -eq 0 ] || exit 1
echo "ok: $(echo "$cases" | wc -w) cases listed, $(grep -c '| not yet' "$map") not yet automated"
