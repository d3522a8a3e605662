# A rule that several statements of lib/sql spell out (between "-- begin rule: NAME" and
# "-- end rule: NAME") is the same in each: the same text, up to blanks, a trailing comma and
# the numbers of the parameters. Each statement stays readable whole, and no copy of a rule
# drifts from the others.
: "${SNAPCTL_SRC:?}"
# shellcheck source=tests/common.sh
. "$SNAPCTL_SRC/tests/common.sh"
tmp=$TEST_TMP

for f in "$SNAPCTL_SRC"/lib/sql/*.sql; do
	awk -v file="$(basename "$f")" -v dir="$tmp" '
		/-- begin rule: / { name = $NF; text = ""; on = 1; next }
		/-- end rule: / {
			if (!on || $NF != name) { print file ": unmatched end rule " $NF > "/dev/stderr"; exit 1 }
			gsub(/\$[0-9]+/, "$", text)
			gsub(/[ \t]+/, " ", text)
			sub(/^ /, "", text); sub(/ ?,? ?$/, "", text)
			print text > (dir "/" name "." file)
			on = 0; next
		}
		on { text = text " " $0 }
		END { if (on) { print file ": rule " name " not ended" > "/dev/stderr"; exit 1 } }
	' "$f" || fail "$(basename "$f"): rule markers"
done
rules=$(ls "$tmp" | sed 's/\..*//' | sort -u)
for want in listing; do
	grep -qx "$want" <<<"$rules" || fail "no rule '$want' in lib/sql"
done
for r in $rules; do
	copies=("$tmp/$r".*)
	[ "${#copies[@]}" -ge 2 ] || fail "rule '$r' is written once: no need for markers"
	for c in "${copies[@]}"; do
		cmp -s "${copies[0]}" "$c" || fail "rule '$r' differs: ${copies[0]##*/$r.} and ${c##*/$r.}:
$(diff "${copies[0]}" "$c")"
	done
done
echo ok
