# PostgreSQL failing under a run. A connection reset mid-transaction (FAULTS 11) rolls the
# transaction back and ends the run with one line, exit 69, nothing half done. PostgreSQL
# restarted between a claim and its settle (FAULTS 37): exit 69, the claim comes back at lease
# expiry (not before), and the rerun finishes; nothing lost or duplicated.
# Restarts the shared PostgreSQL cluster: runs alone.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
published_demo 30
state() {
	q "SELECT status || ' ' || snapshot_version || ' ' || (lease_token IS NOT NULL)
	   FROM market_inventory_snapshots WHERE booking_id = '$1'"
}
# Cuts snapctl's connections as a failing network or a restarting pooler would.
cut_connections() {
	q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	   WHERE application_name = 'snapctl' AND datname = current_database()"
}
B=$(pick 0) C=$(pick 1)

# 11: upsert's transaction cut while it waits for a row: rolled back, exit 69, one line.
q "UPDATE storage_bookings SET quantity_kg = quantity_kg + 1 WHERE id IN ('$B', '$C')" >/dev/null
before=$(table_state)
blocked_on "$C" "$SNAPCTL" upsert "$B" "$C"
assert_eq "snapctl's connection cut" 1 "$(cut_connections)"
reap
release "$holder"
OUT=$(cat "$TEST_TMP/bg.out") ERR=$(cat "$TEST_TMP/bg.err")
assert_eq "reset mid-transaction: exit" 69 "$rc"
one_line_error "lost the PostgreSQL connection"
assert_eq "nothing half done (B is in the same transaction)" "$before" "$(table_state)"
expect 0 upsert "$B" "$C"
assert_eq "rerun" "published 2 false" "$(state "$B" | sed 's/ready_to_publish/published/')"

# 11 in a claim: publish waits for C's row; the cut leaves nothing claimed.
blocked_on "$C" "$SNAPCTL" publish "$C"
assert_eq "snapctl's connection cut" 1 "$(cut_connections)"
reap
release "$holder"
assert_eq "reset in a claim: exit" 69 "$rc"
assert_eq "nothing claimed" "ready_to_publish 2 false" "$(state "$C")"

# 37: the claim commits while publish is stopped; PostgreSQL restarts; publish goes on, writes
# the listing, and cannot settle.
claimed_stopped "$B" "$SNAPCTL" publish "$B"
"$SNAPCTL_SRC/scripts/pg-cluster.sh" restart "$SNAPCTL_PG_ENV"
kill -CONT $p
reap
assert_eq "restarted between claim and settle: exit ($(cat "$TEST_TMP/bg.err"))" 69 "$rc"
assert_eq "claimed, not settled" "publishing 2 true" "$(state "$B")"
expect 0 --json sync-all
assert_eq "the claim is not taken before its lease ends" "publishing 2 true" "$(state "$B")"
q "UPDATE market_inventory_snapshots SET lease_expires_at = now() - interval '1 second'
   WHERE booking_id = '$B'" >/dev/null
expect 0 sync-all
assert_eq "after the lease: published" "published 2 false" "$(state "$B")"
assert_eq "the listing at that version" 2 "$(listing "$B" | cut -d' ' -f1)"
invariants
echo ok
