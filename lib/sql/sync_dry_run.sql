-- publish and sync-all --dry-run (lib/src/sync.c): what a claim would take, by what its listing
-- needs (the rules "due" and "action" of sync_claim.sql). $1 how many due snapshots at most,
-- $2 failed snapshots settled before this time are due again (NULL: none), $3 the ids given
-- (uuid[]; NULL: what is due).
SELECT count(*) FILTER (WHERE a = 'publish'),
	count(*) FILTER (WHERE a IN ('withdraw', 'gone')),
	count(*) FILTER (WHERE a = 'complete')
FROM (SELECT
	-- begin rule: action
	CASE WHEN (SELECT b.id FROM storage_bookings b WHERE b.id = s.booking_id) IS NULL
		THEN 'gone'
	     WHEN s.held THEN 'withdraw'
	     WHEN pg_catalog.lower(s.booking_status) IN ('cancelled', 'rejected') THEN 'withdraw'
	     WHEN pg_catalog.lower(s.booking_status) = 'completed' OR s.end_date < now()
		THEN 'complete'
	     ELSE 'publish' END
	-- end rule: action
	AS a
	FROM market_inventory_snapshots s
	WHERE ($3::uuid[] IS NULL AND (
		-- begin rule: due
		(s.status = 'ready_to_publish' AND s.next_attempt_at <= now())
		OR (s.status = 'publishing' AND s.lease_expires_at < now())
		OR (s.status = 'published' AND s.end_date < now())
		OR (s.status = 'failed' AND s.end_date < now())
		OR (s.recheck AND s.status IN ('withdrawn', 'completed'))
		OR (s.status = 'failed' AND s.status_changed_at < $2::timestamptz)
		-- end rule: due
	)) OR s.booking_id = ANY ($3::uuid[])
	LIMIT $1) x
