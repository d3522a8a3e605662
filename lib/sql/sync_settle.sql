-- publish, sync-all and withdraw: settling a claim once its listings are written
-- (lib/src/sync.c). $1 the claim's token, $2 [{id, outcome, lid, error, found}], $3 attempts
-- before 'failed'. Outcomes: published, withdrawn, completed, retry, newer: the listing is at
-- version found, ahead of the snapshot. Under the fence that can only mean PostgreSQL lost
-- history (an upsert would have taken the claim), so the snapshot moves past the listing and
-- is due at once (SPEC section 9). Rows whose claim was taken over are not settled; if this
-- worker wrote their listing, they get recheck (see migrate_002.sql). Returns the settled rows'
-- outcome and new status.
WITH u AS (
	SELECT * FROM jsonb_to_recordset($2::jsonb)
		AS u(id uuid, outcome text, lid text, error text, found bigint)
), settled AS (
	UPDATE market_inventory_snapshots s SET
	status = CASE WHEN u.outcome IN ('published', 'withdrawn', 'completed') THEN u.outcome
		WHEN u.outcome = 'retry' AND s.attempts + 1 >= $3 THEN 'failed'
		ELSE 'ready_to_publish' END,
	status_changed_at = now(),
	snapshot_version = CASE WHEN u.outcome = 'newer'
		THEN greatest(s.snapshot_version, u.found + 1) ELSE s.snapshot_version END,
	published_version = CASE WHEN u.outcome = 'published' THEN s.snapshot_version
		ELSE s.published_version END,
	-- an older listing under another _id was adopted: that _id is the listing's for good
	listing_oid = CASE WHEN u.outcome = 'published' AND u.lid ~ '^[0-9a-f]{24}$' THEN u.lid
		ELSE s.listing_oid END,
	market_listing_id = CASE WHEN u.outcome = 'published'
		THEN coalesce(nullif(u.lid, ''), s.market_listing_id)
		WHEN u.outcome IN ('withdrawn', 'completed') THEN NULL ELSE s.market_listing_id END,
	published_at = CASE WHEN u.outcome = 'published' THEN coalesce(s.published_at, now())
		ELSE s.published_at END,
	last_synced_at = CASE WHEN u.outcome IN ('published', 'withdrawn', 'completed')
		THEN now() ELSE s.last_synced_at END,
	attempts = CASE WHEN u.outcome = 'retry' THEN s.attempts + 1
		WHEN u.outcome = 'newer' THEN s.attempts ELSE 0 END,
	-- capped exponential backoff with jitter: 5 s, 10 s, ... up to an hour, times 0.5..1
	next_attempt_at = CASE WHEN u.outcome = 'retry' THEN now() + make_interval(secs =>
		least(3600, 5 * 2 ^ least(s.attempts, 20)) * (0.5 + random() / 2))
		WHEN u.outcome = 'newer' THEN now() END,
	last_error = nullif(u.error, ''),
	held = s.held AND u.outcome <> 'published',
	lease_token = NULL, lease_expires_at = NULL
	FROM u WHERE s.booking_id = u.id AND s.lease_token = $1::uuid
	RETURNING s.booking_id, u.outcome, s.status
), lost AS (
	UPDATE market_inventory_snapshots s SET recheck = true
	FROM (SELECT u.id FROM u WHERE u.outcome = 'published'
	      EXCEPT SELECT settled.booking_id FROM settled) l
	WHERE s.booking_id = l.id
)
SELECT outcome, status FROM settled
