# status: counts, failures, the last run of each job, and exit 3 when something needs
# attention; cron: the crontab lines with this binary's real path.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db
demo_data 40
"$SNAPCTL" --quiet init-db --source-indexes
"$SNAPCTL" --quiet upsert --all
n=$(q "SELECT count(*) FROM market_inventory_snapshots")

expect 0 --json status
printf '%s\n' "$OUT" | grep -q "\"counts\":{\"ready_to_publish\":$n}" || fail "counts: $OUT"
printf '%s\n' "$OUT" | grep -q '"runs":{},"attention":\[\]' || fail "fresh: $OUT"

# The jobs record their runs (a dry run does not).
"$SNAPCTL" --quiet sync-all --dry-run
expect 0 --json status
printf '%s\n' "$OUT" | grep -q '"runs":{}' || fail "a dry run was recorded: $OUT"
"$SNAPCTL" --quiet sync-all
"$SNAPCTL" --quiet reconcile
"$SNAPCTL" --quiet cleanup
expect 0 --json status
for job in sync-all reconcile cleanup; do
	printf '%s\n' "$OUT" | grep -q "\"$job\":{\"started_at\":\"[^\"]*\",\"finished_at\":\"[^\"]*\",\"outcome\":\"ok\"" ||
		fail "run of $job: $OUT"
done
printf '%s\n' "$OUT" | grep -q "\"sync-all\":{[^}]*\"counts\":{[^}]*\"claimed\":$n" ||
	fail "sync-all counts: $OUT"
expect 0 status
printf '%s\n' "$OUT" | grep -q '^all well$' || fail "text: $OUT"

# A failed snapshot and a failed run need attention: exit 3, and they are named.
F=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published' LIMIT 1")
q "UPDATE market_inventory_snapshots SET status = 'failed', attempts = 10,
   last_error = 'MongoDB error 2: refused' WHERE booking_id = '$F'" >/dev/null
expect 69 --mongo "mongodb://%2Fnowhere%2Fmongodb.sock/?serverSelectionTimeoutMS=200" \
	sync-all --retry-failed
expect 3 --json status
printf '%s\n' "$OUT" | grep -q "\"failed\":\[{\"booking_id\":\"$F\",\"attempts\":10," ||
	fail "failed list: $OUT"
printf '%s\n' "$OUT" | grep -q '"attention":\["1 snapshots failed","the last sync-all run: database unavailable"\]' ||
	fail "attention: $OUT"
printf '%s\n' "$OUT" | grep -q '"sync-all":{[^}]*"outcome":"database unavailable"' ||
	fail "sync-all outcome: $OUT"
expect 3 status
printf '%s\n' "$OUT" | grep -q "^failed: $F after 10 attempts: MongoDB error 2: refused$" ||
	fail "text: $OUT"

# --metrics-file: Prometheus textfile format; last success moves only on success.
M=$TEST_TMP/sync.prom
expect 0 --metrics-file "$M" sync-all --dry-run
[ ! -e "$M" ] || fail "a dry run wrote metrics"
P=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
       AND booking_id <> '$F' LIMIT 1")
# a document over MongoDB's 16 MiB: the run is partial
q "UPDATE market_inventory_snapshots SET sensors = jsonb_build_object('pad', repeat('x', 17000000)),
   snapshot_version = snapshot_version + 1, status = 'ready_to_publish', next_attempt_at = now()
   WHERE booking_id = '$P'" >/dev/null
expect 3 --metrics-file "$M" sync-all
grep -qx 'snapctl_run_success{job="sync-all"} 0' "$M" || fail "partial is no success: $(cat "$M")"
! grep -q '^snapctl_last_success_timestamp_seconds' "$M" || fail "no success yet: $(cat "$M")"
q "UPDATE market_inventory_snapshots SET sensors = '{}', snapshot_version = snapshot_version + 1,
   status = 'ready_to_publish', next_attempt_at = now() WHERE booking_id = '$P'" >/dev/null
printf 'metrics_file = %s\n' "$M" >"$TEST_TMP/m.conf"
expect 0 --config "$TEST_TMP/m.conf" sync-all
grep -qx 'snapctl_run_success{job="sync-all"} 1' "$M" || fail "success: $(cat "$M")"
grep -qE '^snapctl_run_items\{job="sync-all",outcome="claimed"\} [0-9]+$' "$M" ||
	fail "items: $(cat "$M")"
ok=$(grep '^snapctl_last_success_timestamp_seconds{job="sync-all"} ' "$M") || fail "no last success"
sleep 1.1
expect 69 --metrics-file "$M" --mongo "mongodb://%2Fnowhere%2Fmongodb.sock/?serverSelectionTimeoutMS=200" \
	sync-all --retry-failed
assert_eq "last success kept by a failed run" "$ok" \
	"$(grep '^snapctl_last_success_timestamp_seconds{job="sync-all"} ' "$M")"
grep -qx 'snapctl_run_success{job="sync-all"} 0' "$M" || fail "failure: $(cat "$M")"
[ "$(ls "$TEST_TMP" | grep -c 'sync.prom.tmp')" = 0 ] || fail "a temporary file was left"

# A run that ends in any error is recorded and counted a failure too (SPEC section 9).
q "ALTER TABLE snapctl_reconcile_cursor RENAME TO away" >/dev/null
expect 78 --metrics-file "$TEST_TMP/r.prom" reconcile
q "ALTER TABLE away RENAME TO snapctl_reconcile_cursor" >/dev/null
grep -qx 'snapctl_run_success{job="reconcile"} 0' "$TEST_TMP/r.prom" ||
	fail "78 in the metrics: $(cat "$TEST_TMP/r.prom")"
expect 3 --json status
printf '%s
' "$OUT" | grep -q '"reconcile":{[^}]*"outcome":"configuration error"' ||
	fail "78 in snapctl_runs: $OUT"

# list: filters and pages; bad filters are refused.
expect 0 --json list --status failed
assert_eq "list failed" 1 "$(printf '%s\n' "$OUT" | grep -o '"booking_id"' | wc -l)"
printf '%s\n' "$OUT" | grep -q "\"booking_id\":\"$F\",\"status\":\"failed\",.*\"last_error\":\"MongoDB error 2: refused\"" ||
	fail "list failed: $OUT"
all=$(q "SELECT string_agg(booking_id::text, ' ' ORDER BY booking_id)
         FROM market_inventory_snapshots")
paged="" after=""
while :; do
	expect 0 --json list --limit 7 ${after:+--after "$after"}
	page=$(printf '%s\n' "$OUT" | { grep -oE '"booking_id":"[^"]*"' || true; } | cut -d'"' -f4 |
		paste -sd' ')
	[ -n "$page" ] || break
	paged="${paged:+$paged }$page" after=${page##* }
done
assert_eq "pages of 7 cover every snapshot once, in order" "$all" "$paged"
# The crop is read again in SQL, not quoted into it: crops may hold quotes.
crop="SELECT crop_type FROM market_inventory_snapshots WHERE crop_type IS NOT NULL
      ORDER BY booking_id LIMIT 1"
expect 0 --json list --crop "$(q "$crop" | tr '[:lower:]' '[:upper:]')" --limit 1000
assert_eq "crop, any letter case" "$(q "SELECT count(*) FROM market_inventory_snapshots
	WHERE lower(crop_type) = (SELECT lower(crop_type) FROM ($crop) c)")" \
	"$(printf '%s\n' "$OUT" | grep -o '"booking_id"' | wc -l)"
expect 0 list --status published --limit 2
assert_eq "text page" 3 "$(printf '%s\n' "$OUT" | wc -l)"
printf '%s\n' "$OUT" | tail -1 | grep -q '^(more: --after ' || fail "next page hint: $OUT"
expect 64 list --status nonsense
one_line_error "unknown status 'nonsense'"
expect 65 list --farmer not-a-uuid
expect 65 list --after not-a-uuid

# JSON logs with --verbose: level, time, command and, at the end of a job, its counts.
expect 0 -v --log-format json reconcile
printf '%s\n' "$ERR" | tail -1 | grep -qE '^\{"time":"[0-9T:-]+Z","level":"info","cmd":"reconcile","msg":"[^"]*","counts":\{"checked":[0-9]+,' ||
	fail "JSON log: $ERR"

# A progress line only when stderr is a terminal (script(1) gives it one), and cleared.
command -v script >/dev/null || fail "script(1) is missing (util-linux)"
script -qec "$SNAPCTL reconcile --batch-size 5" /dev/null >"$TEST_TMP/tty.out"
grep -q $'\r\033\\[Ksnapctl reconcile: 5 checked' "$TEST_TMP/tty.out" ||
	fail "no progress on a terminal: $(od -c "$TEST_TMP/tty.out" | head)"
grep -q $'\r\033\[K[0-9]* checked, ' "$TEST_TMP/tty.out" || fail "progress not cleared"
expect 0 reconcile --batch-size 5
assert_eq "no progress off a terminal" "" "$ERR"
script -qec "$SNAPCTL --quiet reconcile --batch-size 5" /dev/null >"$TEST_TMP/tty.out"
assert_eq "no progress with --quiet" 0 "$(wc -c <"$TEST_TMP/tty.out")"

# cron: every job, this binary by its real path, no lock file needed.
expect 0 cron
real=$(readlink -f "$SNAPCTL")
for job in "sync-all --max-duration 240" "reconcile --max-duration 1500" \
	"cleanup --orphans; $real --quiet verify --repair --max-duration 3000"; do
	printf '%s\n' "$OUT" | grep -q "^[0-9*/ ]* $real --quiet $job$" || fail "cron, $job: $OUT"
done
expect 64 cron extra
one_line_error "cron takes no arguments"

# systemd: the same jobs as six units, this binary by its real path; bad input changes nothing.
expect 0 systemd
assert_eq "units" "snapctl-sync.service snapctl-sync.timer snapctl-reconcile.service snapctl-reconcile.timer snapctl-cleanup.service snapctl-cleanup.timer" \
	"$(printf '%s\n' "$OUT" | sed -n 's/^# ==> \(.*\) <==$/\1/p' | tr '\n' ' ' | sed 's/ $//')"
for job in "sync-all --max-duration 240" "reconcile --max-duration 1500" \
	"cleanup --orphans" "verify --repair --max-duration 3000"; do
	printf '%s\n' "$OUT" | grep -qx "ExecStart=$real --quiet $job" || fail "systemd, $job: $OUT"
done
expect 64 systemd extra
one_line_error "systemd takes no arguments"
echo ok
