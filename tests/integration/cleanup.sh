# cleanup: only old finished snapshots go, each once its listing is confirmed gone; MongoDB down
# deletes nothing; a crash mid-way loses nothing; --orphans removes listings with no snapshot.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
published_demo 160
finished() {
	q "SELECT count(*) FROM market_inventory_snapshots WHERE status IN ('withdrawn', 'completed')
	   AND status_changed_at < now() - interval '$1'"
}
field() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" <<<"$OUT"; }

# Half the finished snapshots finished 100 days ago; the rest are recent.
q "UPDATE market_inventory_snapshots SET status_changed_at = now() - interval '100 days'
   WHERE status IN ('withdrawn', 'completed') AND booking_id::text < '8'" >/dev/null
# One more finished long ago whose listing is still there (an earlier system left it).
S=$(pick 0)
q "UPDATE market_inventory_snapshots SET status = 'withdrawn',
   status_changed_at = now() - interval '100 days' WHERE booking_id = '$S'" >/dev/null
old=$(finished '90 days') recent=$(q "SELECT count(*) FROM market_inventory_snapshots
	WHERE status IN ('withdrawn', 'completed') AND status_changed_at > now() - interval '1 day'")
[ "$old" -gt 2 ] && [ "$recent" -gt 0 ] || fail "test data: $old old, $recent recent"

# Bad ages are refused before anything is read.
expect 64 cleanup --older-than 90x
one_line_error "older-than"
expect 64 cleanup --older-than ''

before=$(table_state)
expect 0 --json cleanup --dry-run
assert_eq "dry run" "$old 0 0" "$(field deleted) $(field kept) $(field orphans)"
assert_eq "dry run wrote" "$before" "$(table_state)"

# MongoDB down: nothing deleted, exit 69.
"$SNAPCTL_SRC/scripts/mongo-server.sh" pause "$SNAPCTL_MONGO_ENV"
expect 69 cleanup
"$SNAPCTL_SRC/scripts/mongo-server.sh" resume "$SNAPCTL_MONGO_ENV"
assert_eq "MongoDB down: rows" "$before" "$(table_state)"

expect 0 --json cleanup --batch-size 7
assert_eq "cleanup" "$old 0" "$(field deleted) $(field kept)"
assert_eq "old ones left" 0 "$(finished '90 days')"
assert_eq "recent ones kept" "$recent" "$(q "SELECT count(*) FROM market_inventory_snapshots
	WHERE status IN ('withdrawn', 'completed')")"
assert_eq "the stale listing is gone with its snapshot" "none" "$(listing "$S")"
invariants
expect 0 --json cleanup --older-than 12h
assert_eq "nothing finished 12 h ago" 0 "$(field deleted)"

# SIGKILL in the middle of a batch, its listings removed and its snapshots not yet deleted (the
# delete waits for the table): the rerun finishes, and no listing is left without its snapshot.
q "UPDATE market_inventory_snapshots SET status = 'withdrawn',
   status_changed_at = now() - interval '100 days' WHERE status = 'published'" >/dev/null
n=$(listings | wc -l)
blocked_by "LOCK TABLE market_inventory_snapshots IN SHARE MODE;" "$SNAPCTL" cleanup --batch-size 3
assert_eq "the batch in hand: listings removed" $((n - 3)) "$(listings | wc -l)"
kill -9 $p
wait $p 2>/dev/null || true
release "$holder"
expect 0 cleanup
assert_eq "after the kill: old ones left" 0 "$(finished '90 days')"
invariants

# Orphans: a snapshot gone (as when its booking is deleted) leaves a listing behind.
"$SNAPCTL" --quiet upsert --all
"$SNAPCTL" --quiet sync-all
O=$(q "SELECT booking_id FROM market_inventory_snapshots WHERE status = 'published' LIMIT 1")
q "DELETE FROM market_inventory_snapshots WHERE booking_id = '$O'" >/dev/null
# And another writer's listing under a booking_id that is no UUID, quotes and all.
"$SNAPCTL_TEST_MONGO_TOOL" insert "$SNAPCTL_MONGO_DB" \
	'{"booking_id": "not \"a\" \\uuid,{}", "snapshot_version": 1}'
# A signal stops the scan for orphans too: it arrives while the first step waits on a lock;
# the scan then stops before its first chunk (exit 75) and the next run does it.
blocked_by "LOCK TABLE market_inventory_snapshots IN ACCESS EXCLUSIVE MODE;" \
	"$SNAPCTL" cleanup --orphans
stop_blocked
assert_eq "orphan scan interrupted: $(cat "$TEST_TMP/bg.err")" 75 "$rc"
[ "$(listing "$O")" != none ] || fail "the interrupted scan removed the orphan"
expect 0 --json cleanup --orphans --dry-run
assert_eq "orphans, dry run" 2 "$(field orphans)"
[ "$(listing "$O")" != none ] || fail "dry run removed the orphan"
expect 0 --json cleanup --orphans
assert_eq "orphans" 2 "$(field orphans)"
assert_eq "orphan gone" none "$(listing "$O")"
invariants
echo ok
