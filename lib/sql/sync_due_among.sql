-- reconcile and upsert --publish (lib/src/sync.c, sync_due_among): those of the ids $1
-- (uuid[]) that are due (the rule "due" of sync_claim.sql; failed ones only once ended).
SELECT s.booking_id::text FROM market_inventory_snapshots s
WHERE s.booking_id = ANY ($1::uuid[]) AND (
	-- begin rule: due
	(s.status = 'ready_to_publish' AND s.next_attempt_at <= now())
	OR (s.status = 'publishing' AND s.lease_expires_at < now())
	OR (s.status = 'published' AND s.end_date < now())
	OR (s.status = 'failed' AND s.end_date < now())
	OR (s.recheck AND s.status IN ('withdrawn', 'completed'))
	OR (s.status = 'failed' AND s.status_changed_at < $2::timestamptz)
	-- end rule: due
)
