# Sourced by every shell test, lib.sh's included: strict mode, a private $TEST_TMP (removed at
# exit by the EXIT trap set here, which a script may replace with its own that does the same),
# fail and assert_eq.
set -euo pipefail
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/snaptest.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
