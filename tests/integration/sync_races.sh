# Two, then four sync-all runs at once over 5,000 snapshots share the work: each snapshot
# claimed by exactly one run, all settled, every listing true.
. "${SNAPCTL_SRC:?}/tests/lib.sh" || exit 1
new_db init
demo_data 5000
"$SNAPCTL" --quiet upsert --all
n=$(q "SELECT count(*) FROM market_inventory_snapshots")

claimed() { sed -E 's/.*"claimed":([0-9]+),.*/\1/' "$@" | paste -sd+ | bc; }

for runs in 2 4; do
	rm -f "$TEST_TMP"/out.* "$TEST_TMP"/err.* "$TEST_TMP"/rc.*
	for i in $(seq $runs); do
		("$SNAPCTL" --json sync-all --batch-size 100 >"$TEST_TMP/out.$i" 2>"$TEST_TMP/err.$i"
		 echo $? >"$TEST_TMP/rc.$i") &
	done
	wait
	for i in $(seq $runs); do
		assert_eq "$runs runs: exit code of run $i ($(cat "$TEST_TMP/err.$i"))" 0 \
			"$(cat "$TEST_TMP/rc.$i")"
		[ "$(claimed "$TEST_TMP/out.$i")" -gt 0 ] ||
			fail "$runs runs: run $i claimed nothing: the work was not shared"
	done
	assert_eq "$runs runs: each snapshot claimed once" "$n" "$(claimed "$TEST_TMP"/out.*)"
	assert_eq "$runs runs: all settled" 0 "$(unsettled)"
	invariants
	# every snapshot due again, at a new version
	q "UPDATE market_inventory_snapshots SET snapshot_version = snapshot_version + 1,
	   status = 'ready_to_publish', next_attempt_at = now()" >/dev/null
done
echo ok
