# sync-all when things go wrong: a document MongoDB refuses (retry ladder, then 'failed'),
# a listing ahead of its snapshot (lost history), a worker stalled past its lease, SIGTERM.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init
demo_data 40
"$SNAPCTL" --quiet upsert --all
printf 'max_attempts = 4\nlease_seconds = 2\n' >"$TEST_TMP/snapctl.conf"
export SNAPCTL_CONFIG="$TEST_TMP/snapctl.conf"

# A poison document: larger than MongoDB's 16 MiB limit (a nested '$' key is no poison: MongoDB 5
# takes it, FerretDB refuses it). Its neighbours in the batch publish.
P=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'ready_to_publish'
       ORDER BY booking_id LIMIT 1")
q "UPDATE market_inventory_snapshots SET sensors = jsonb_build_object('pad', repeat('x', 17000000)) WHERE booking_id = '$P'" >/dev/null
n=$(q "SELECT count(*) FROM market_inventory_snapshots WHERE status = 'ready_to_publish'")
expect 3 --json sync-all
printf '%s\n' "$OUT" | grep -q "\"claimed\":$n,\"published\":.*\"retried\":1,\"failed\":0" ||
	fail "poison, first run: $OUT"
assert_eq "neighbours settled" 1 "$(unsettled)"
assert_eq "no listing for the poison" none "$(listing "$P")"

# The retry ladder: capped exponential backoff with jitter (5 s * 2^(n-1), times 0.5 to 1),
# then 'failed' at max_attempts (4 here), with the server's reason.
for attempt in 1 2 3; do
	assert_eq "attempt $attempt: state" "ready_to_publish $attempt true" \
		"$(q "SELECT status || ' ' || attempts || ' ' || (next_attempt_at - now()
		   BETWEEN make_interval(secs => 2.5 * 2 ^ ($attempt - 1) - 1)
		   AND make_interval(secs => 5 * 2 ^ ($attempt - 1)))
		   FROM market_inventory_snapshots WHERE booking_id = '$P'")"
	q "SELECT last_error FROM market_inventory_snapshots WHERE booking_id = '$P'" |
		grep -q 'too large' || fail "attempt $attempt: last_error does not say why"
	expect 0 --json sync-all
	printf '%s\n' "$OUT" | grep -q '"claimed":0,' || fail "not due yet, yet claimed: $OUT"
	q "UPDATE market_inventory_snapshots SET next_attempt_at = now() WHERE booking_id = '$P'" \
		>/dev/null
	expect 3 --json sync-all
	if [ $attempt -lt 3 ]; then
		printf '%s\n' "$OUT" | grep -q '"claimed":1,.*"retried":1,"failed":0' ||
			fail "attempt $((attempt + 1)): $OUT"
	fi
done
printf '%s\n' "$OUT" | grep -q '"claimed":1,.*"retried":0,"failed":1' || fail "last attempt: $OUT"
assert_eq "failed" "failed 4" "$(q "SELECT status || ' ' || attempts
	FROM market_inventory_snapshots WHERE booking_id = '$P'")"
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"claimed":0,' || fail "a failed snapshot is not due: $OUT"
expect 3 --json sync-all --retry-failed
printf '%s\n' "$OUT" | grep -q '"claimed":1,.*"failed":1' || fail "--retry-failed: $OUT"
# Fixed data is published by the next run.
q "UPDATE market_inventory_snapshots SET sensors = '[]', status = 'ready_to_publish',
   attempts = 0, next_attempt_at = now() WHERE booking_id = '$P'" >/dev/null
expect 0 sync-all
invariants

# Lost history (FAULTS 35): the snapshot table restored from an older backup holds version
# v - 1 while the listing is at v. Under its claim nothing else can have made v, so the snapshot
# moves past the listing and its content is published in the same run; nothing fails.
B=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published'
       ORDER BY booking_id DESC LIMIT 1")
before=$(listing "$B")
v=${before%% *}
q "UPDATE market_inventory_snapshots SET snapshot_version = $v - 1, status = 'ready_to_publish',
   next_attempt_at = now() WHERE booking_id = '$B'" >/dev/null
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"claimed":2,"published":1,.*"retried":0,"failed":0' ||
	fail "lost history: $OUT"
assert_eq "lost history: moved past the listing" "published $((v + 1)) 0" \
	"$(q "SELECT status || ' ' || snapshot_version || ' ' || attempts
	   FROM market_inventory_snapshots WHERE booking_id = '$B'")"
assert_eq "lost history: listing replaced, same _id" "$((v + 1)) ${before#* }" "$(listing "$B")"
invariants

# All due again, at a new version.
redo() {
	q "UPDATE market_inventory_snapshots SET snapshot_version = snapshot_version + 1,
	   status = 'ready_to_publish', next_attempt_at = now()" >/dev/null
}

# A worker stalled past its lease (2 s): another takes its snapshots over; when it wakes up
# it settles nothing, counts them stale, and the listings are the other's.
redo
sweep_stopped "$SNAPCTL" --json sync-all --batch-size 300
a=$p
sleep 3
expect 0 --json sync-all
printf '%s\n' "$OUT" | grep -q '"claimed":40,.*"skipped_stale":0,"retried":0,"failed":0' || fail "taking over: $OUT"
kill -CONT $a
rc=0
wait $a || rc=$?
OUT=$(cat "$TEST_TMP/bg.out")
assert_eq "stalled worker's exit: $(cat "$TEST_TMP/bg.err")" 0 "$rc"
printf '%s\n' "$OUT" | grep -q '"claimed":40,"published":0,"withdrawn":0,"completed":0,"skipped_stale":40,' ||
	fail "stalled worker: $OUT"
invariants

# SIGTERM while a batch is being claimed: the run settles that batch, claims no other, exits
# 75; a rerun finishes.
redo
blocked_by "LOCK TABLE market_inventory_snapshots IN SHARE MODE;" "$SNAPCTL" sync-all --batch-size 4
stop_blocked
assert_eq "SIGTERM: exit" 75 "$rc"
grep -q interrupted "$TEST_TMP/bg.err" || fail "SIGTERM: stderr $(cat "$TEST_TMP/bg.err")"
assert_eq "SIGTERM: claimed, due" "0 some" \
	"$(q "SELECT count(*) FILTER (WHERE status = 'publishing') || ' ' ||
	   CASE WHEN bool_or(status = 'ready_to_publish') THEN 'some' ELSE 'none' END
	   FROM market_inventory_snapshots")"
expect 0 sync-all
invariants
echo ok
