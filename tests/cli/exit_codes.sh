# The tool's contract with the booking service: exact stdout, one stderr line, documented exit
# codes, nothing changed on bad input, no password in any output.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init
demo_data 20 2
B=$(booking 0)
C=$(booking 1)
MISSING=00000000-0000-0000-0000-00000000dead

# 64: usage.
expect 64 ; one_line_error '^snapctl: error: no command given'
expect 64 frobnicate; one_line_error "unknown command 'frobnicate'"
expect 64 upsert; one_line_error "no booking ids given"
expect 64 upsert --all "$B"; one_line_error "--all takes no booking ids"
expect 64 upsert --bogus "$B"; one_line_error "bogus"
expect 64 upsert --batch-size 0 --all; one_line_error "batch-size"
expect 64 --log-format xml init-db; one_line_error "log-format"
expect 64 get; one_line_error "get"
expect 64 get "$B" "$C"; one_line_error "get"
expect 64 init-db extra; one_line_error "init-db takes no arguments"
# Strict values (SPEC section 9): malformed, out of range or followed by anything is 64, never
# clamped; a mistyped option is named without its value, which may be a password.
expect 64 sync-all --limit 99999999999999999999; one_line_error "--limit must be a number"
expect 64 sync-all --limit 10x; one_line_error "--limit must be a number"
expect 64 sync-all --limit ' 5'; one_line_error "--limit must be a number"
for d in inf nan 0x10 1e3 -5 0 '' 5s 1.; do
	expect 64 sync-all --max-duration "$d"; one_line_error "--max-duration must be"
done
expect 64 cleanup --older-than 1000000w; one_line_error "--older-than must be"
expect 64 cleanup --older-than 90dd; one_line_error "--older-than must be"
expect 64 --mongo-uri=mongodb://u:s3cret@h sync-all; one_line_error "unknown option '--mongo-uri'"
printf '%s\n' "$ERR" | grep -q s3cret && fail "a mistyped option showed its value: $ERR"
[ -z "$OUT" ] || fail "usage errors print nothing on stdout"

# 0: help and version on stdout.
expect 0 --help; printf '%s\n' "$OUT" | grep -q '^usage: snapctl' || fail "--help"
expect 0 upsert --help; printf '%s\n' "$OUT" | grep -q -- '--batch-size N' || fail "upsert --help"
expect 0 --version; printf '%s\n' "$OUT" | grep -Eq '^snapctl [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version: $OUT"

# 65: malformed ids, nothing changed, even when valid ids come first.
before=$(table_state)
expect 65 upsert "$B" not-a-uuid; one_line_error "^snapctl: error: booking id 'not-a-uuid' is not a UUID$"
expect 65 get "'; DROP TABLE x; --"; one_line_error "is not a UUID"
printf '%s\n%s\n\nzzz\n' "$B" "$C" >"$TEST_TMP/ids"
expect 65 upsert --batch-size 1 - <"$TEST_TMP/ids"
one_line_error "standard input line 4: booking id 'zzz' is not a UUID"
# An id is the whole line, blanks aside: "<uuid> DROP TABLE x" is no id.
printf ' %s \n%s DROP TABLE x\n' "$B" "$C" >"$TEST_TMP/ids"
expect 65 upsert - <"$TEST_TMP/ids"
one_line_error "standard input line 2: booking id '$C DROP TABLE x' is not a UUID"
assert_eq "malformed input changed nothing" "$before" "$(table_state)"
[ -z "$OUT" ] || fail "malformed input printed results: $OUT"

# 66: unknown booking, nothing changed, even next to known ones.
expect 66 upsert "$B" "$MISSING"; one_line_error "^snapctl: error: booking '$MISSING' not found$"
assert_eq "unknown booking changed nothing" "$before" "$(table_state)"
expect 66 get "$MISSING"; one_line_error "no snapshot for booking '$MISSING'"

# 0: the booking service's call, exact output.
expect 0 --json upsert "$B"
assert_eq "json" "{\"booking_id\":\"$B\",\"action\":\"created\",\"status\":\"ready_to_publish\",\"snapshot_version\":1}" "$OUT"
assert_eq "quiet stderr" "" "$ERR"
expect 0 --quiet upsert "$C"
assert_eq "quiet" "" "$OUT"
printf '%s\n' "$B" "$C" | "$SNAPCTL" upsert - >"$TEST_TMP/out" || fail "upsert -"
assert_eq "stdin" "$B unchanged (ready_to_publish, version 1)
$C unchanged (ready_to_publish, version 1)" "$(cat "$TEST_TMP/out")"
expect 0 get "$B"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "get prints one line off a terminal"
# The content first, booking id leading; the bookkeeping last, in "state".
[[ "$OUT" == "{ \"booking_id\": \"$B\", "*", \"state\": { \"status\": \"ready_to_publish\", \"version\": 1, "*" } }" ]] ||
	fail "get: $OUT"
expect 0 --log-format json -vv upsert "$B"
printf '%s\n' "$ERR" | grep -q '^{"time":"[^"]*","level":"debug","cmd":"upsert","msg":"connected' || fail "json logs: $ERR"

# 69: database unreachable; the password is never shown.
SNAPCTL_PG_URI="postgresql://snap:s3cret@/db?host=$TEST_TMP/nowhere" expect 69 upsert "$B"
one_line_error "^snapctl: error: cannot connect to PostgreSQL"
SNAPCTL_PG_URI="host=$TEST_TMP/nowhere password=s3cret" expect 69 get "$B"
one_line_error "cannot connect"
expect 69 -vv --pg "postgresql://snap:s3cret@/db?host=$TEST_TMP/nowhere" upsert "$B"
! printf '%s%s' "$OUT" "$ERR" | grep -q s3cret || fail "password in output: $ERR"

# 78: configuration.
SNAPCTL_PG_URI="postgresql://snap:s3cret@[bad" expect 78 upsert "$B"
one_line_error "malformed PostgreSQL connection string"
! printf '%s' "$ERR" | grep -q s3cret || fail "password in parse error: $ERR"
printf 'pg_uri = postgresql://snap:s3cret@localhost/db\n' >"$TEST_TMP/secret.conf"
chmod 644 "$TEST_TMP/secret.conf"
expect 78 --config "$TEST_TMP/secret.conf" get "$B"
one_line_error "holds a secret and is readable by group or others"
! printf '%s' "$ERR" | grep -q s3cret || fail "password in config error"
SNAPCTL_CONFIG="$TEST_TMP/secret.conf" expect 78 get "$B"
chmod 600 "$TEST_TMP/secret.conf"
# Readable only by its owner, the file is used; the flag still wins over it.
expect 0 --pg "host=$PGHOST dbname=$PGDATABASE" --config "$TEST_TMP/secret.conf" get "$B"
# Secrets are found by parsing as libpq and libmongoc do, not by looking for a word.
for uri in 'mongodb://h/?tls=true&tlsCertificateKeyFilePassword=k3y' \
	'mongodb://u@h/?authMechanism=GSSAPI&authMechanismProperties=SERVICE_NAME:s3rv' \
	'mongodb://u:s3cret@h/'; do
	printf 'mongo_uri = %s\n' "$uri" >"$TEST_TMP/secret.conf"
	chmod 644 "$TEST_TMP/secret.conf"
	expect 78 --config "$TEST_TMP/secret.conf" get "$B"
	one_line_error "holds a secret and is readable by group or others"
done
printf 'pg_uri = host=%s dbname=%s application_name=password\nmongo_uri = mongodb://h/?appname=password\n' \
	"$PGHOST" "$PGDATABASE" >"$TEST_TMP/secret.conf"
chmod 644 "$TEST_TMP/secret.conf"
expect 0 --config "$TEST_TMP/secret.conf" get "$B"
printf 'pg_uri = host=%s sslpassword=k3y\n' "$PGHOST" >"$TEST_TMP/secret.conf"
expect 78 --config "$TEST_TMP/secret.conf" get "$B"
# On the command line a secret is seen by every user of the host: a warning says so.
expect 69 --pg "postgresql://snap:s3cret@/db?host=$TEST_TMP/nowhere" upsert "$B"
printf '%s\n' "$ERR" | grep -q '^snapctl: warning: --pg holds a password' || fail "no --pg warning: $ERR"
expect 0 --mongo 'mongodb://h/?tlsCertificateKeyFilePassword=k3y' get "$B"
assert_eq "--mongo warning" "snapctl: warning: --mongo holds a secret, which other users can see in the process list; use SNAPCTL_MONGO_URI or the config file" "$ERR"
expect 0 --mongo 'mongodb://h/?appname=password' --pg "host=$PGHOST dbname=$PGDATABASE" get "$B"
assert_eq "no secret, no warning" "" "$ERR"
printf 'colour = blue\n' >"$TEST_TMP/bad.conf"
expect 78 --config "$TEST_TMP/bad.conf" get "$B"; one_line_error "unknown key 'colour'"
expect 78 --config "$TEST_TMP/none.conf" get "$B"; one_line_error "cannot read config file"
# When stderr is the journal (JOURNAL_STREAM names its device and inode), lines carry their
# syslog priority; any other stream gets none.
: >"$TEST_TMP/journal"
stream=$(stat -c '%d:%i' "$TEST_TMP/journal")
JOURNAL_STREAM=$stream "$SNAPCTL" --config "$TEST_TMP/none.conf" get "$B" 2>>"$TEST_TMP/journal" &&
	fail "a missing config file"
grep -q '^<3>snapctl: error: cannot read config file' "$TEST_TMP/journal" ||
	fail "no priority for the journal: $(cat "$TEST_TMP/journal")"
JOURNAL_STREAM=1:1 expect 78 --config "$TEST_TMP/none.conf" get "$B"
one_line_error "^snapctl: error: cannot read config file"
printf '# retries\nmax_attempts = 0\n' >"$TEST_TMP/range.conf"
expect 78 --config "$TEST_TMP/range.conf" get "$B"
one_line_error "range.conf:2: max_attempts must be 1 to 1000"
# COMMAND.OPTION keys: checked as the option's values are, whatever the command; the running
# command's own taken unless typed, and before the legacy batch_size.
printf 'sync-all.batch-size = 0\n' >"$TEST_TMP/cmd.conf"
expect 78 --config "$TEST_TMP/cmd.conf" get "$B"
one_line_error "cmd.conf:1: sync-all.batch-size must be a number from 1 to 100000$"
for key in nosuch.limit get.listing list.bogus; do
	printf '%s = 1\n' "$key" >"$TEST_TMP/cmd.conf"
	expect 78 --config "$TEST_TMP/cmd.conf" get "$B"; one_line_error "cmd.conf:1: unknown key '$key'"
done
expect 0 upsert --all
printf 'batch_size = 7\nlist.limit = 2\n' >"$TEST_TMP/cmd.conf"
expect 0 --config "$TEST_TMP/cmd.conf" --json list
assert_eq "list.limit from the file" 2 "$(printf '%s\n' "$OUT" | grep -o '"booking_id"' | wc -l)"
expect 0 --config "$TEST_TMP/cmd.conf" --json list --limit 3
assert_eq "--limit over the file" 3 "$(printf '%s\n' "$OUT" | grep -o '"booking_id"' | wc -l)"
expect 0 sync-all --help
printf '%s\n' "$OUT" | grep -q -- '--batch-size N .*(default 500)$' || fail "sync-all's default: $OUT"
q "DROP TABLE market_inventory_snapshots" >/dev/null
expect 78 get "$B"; one_line_error "run 'snapctl init-db'"
echo ok
