-- publish, sync-all and withdraw: a claim (lib/src/sync.c). Each snapshot taken gets status
-- 'publishing' and the claim's fresh lease_token, its lease ending $2 seconds from now on the
-- database clock; it comes back with its listing and with what giving it back untouched needs.
-- $1 how many at most (due), $2 lease seconds, $3 failed snapshots settled before this time are
-- due again (NULL: none), $4 the ids given (uuid[]; NULL: any), $5 what to claim, $6 true for a
-- dry run (the rows a claim would take and what their listings need, left as they are):
--   due       what is due (among the ids given, if any), at most $1. Each way of being due is
--             taken apart through its own partial index (migrate_002.sql), at most $1 of each,
--             so that a claim reads about $1 rows however many are due (as one OR the planner
--             reads and sorts every due row, and claiming N rows costs N^2 / $1); then the $1
--             first by next_attempt_at. The other rows locked are let go when the statement ends.
--   ids       the ids, whatever their state, waiting for their locks; publish lifts a hold
--   withdraw  the same, setting the hold (a removal left to retry stays a removal)
-- Released, a snapshot whose lease had expired goes back to ready_to_publish, its recheck and
-- hold as they were: the locking reads take them, as the row is when locked.
-- What its listing needs: removed because the booking is gone (the booking looked up by a
-- scalar subquery, one probe of its key), withdrawn because the booking was or the snapshot is
-- held, completed, or published. The rule "listing" (a published snapshot's listing, SPEC
-- section 5, as extended JSON; snapshot_version is the listing item's, added by the MongoDB
-- module) is the same in verify_rows.sql (tests/docs/sql_rules.sh checks).
WITH ready AS (
	SELECT s.booking_id, s.status, s.recheck, s.held, s.next_attempt_at
	FROM market_inventory_snapshots s
	WHERE $5::text = 'due' AND s.status = 'ready_to_publish' AND s.next_attempt_at <= now()
	  AND ($4::uuid[] IS NULL OR s.booking_id = ANY ($4::uuid[]))
	ORDER BY s.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
), expired AS (
	SELECT s.booking_id, s.status, s.recheck, s.held, s.next_attempt_at
	FROM market_inventory_snapshots s
	WHERE $5::text = 'due' AND s.status = 'publishing' AND s.lease_expires_at < now()
	  AND ($4::uuid[] IS NULL OR s.booking_id = ANY ($4::uuid[]))
	LIMIT $1 FOR UPDATE SKIP LOCKED
), ended AS (
	SELECT s.booking_id, s.status, s.recheck, s.held, s.next_attempt_at
	FROM market_inventory_snapshots s
	WHERE $5::text = 'due' AND s.status = 'published' AND s.end_date < now()
	  AND ($4::uuid[] IS NULL OR s.booking_id = ANY ($4::uuid[]))
	LIMIT $1 FOR UPDATE SKIP LOCKED
), failed AS (
	SELECT s.booking_id, s.status, s.recheck, s.held, s.next_attempt_at
	FROM market_inventory_snapshots s
	WHERE $5::text = 'due' AND s.status = 'failed'
	  AND (s.end_date < now() OR s.status_changed_at < $3::timestamptz)
	  AND ($4::uuid[] IS NULL OR s.booking_id = ANY ($4::uuid[]))
	ORDER BY s.next_attempt_at NULLS FIRST LIMIT $1 FOR UPDATE SKIP LOCKED
), rechecked AS (
	SELECT s.booking_id, s.status, s.recheck, s.held, s.next_attempt_at
	FROM market_inventory_snapshots s
	WHERE $5::text = 'due' AND s.recheck AND s.status IN ('withdrawn', 'completed')
	  AND ($4::uuid[] IS NULL OR s.booking_id = ANY ($4::uuid[]))
	LIMIT $1 FOR UPDATE SKIP LOCKED
), due AS (
	SELECT * FROM (SELECT * FROM ready UNION ALL SELECT * FROM expired
		UNION ALL SELECT * FROM ended UNION ALL SELECT * FROM failed
		UNION ALL SELECT * FROM rechecked) d
	ORDER BY d.next_attempt_at NULLS FIRST LIMIT $1
), given AS (
	SELECT s.booking_id, s.status, s.recheck, s.held, s.next_attempt_at
	FROM market_inventory_snapshots s
	WHERE $5::text IN ('ids', 'withdraw') AND s.booking_id = ANY ($4::uuid[])
	ORDER BY s.booking_id FOR UPDATE
), claimed AS (
	SELECT c.booking_id, c.status, c.recheck, c.held,
		CASE $5::text WHEN 'ids' THEN false WHEN 'withdraw' THEN true ELSE c.held END AS hold
	FROM (SELECT * FROM due UNION ALL SELECT * FROM given) c
), tok AS (
	SELECT gen_random_uuid() AS token
), taken AS (
	UPDATE market_inventory_snapshots s SET status = 'publishing',
		lease_token = tok.token, lease_expires_at = now() + make_interval(secs => $2),
		listing_oid = coalesce(s.listing_oid, snapctl_object_id()), recheck = false,
		held = c.hold
	FROM claimed c, tok
	WHERE s.booking_id = c.booking_id AND NOT $6::boolean
	RETURNING s.*
), rows AS (
	SELECT * FROM taken
	UNION ALL
	SELECT s.* FROM market_inventory_snapshots s, claimed c
	WHERE $6::boolean AND s.booking_id = c.booking_id
)
SELECT s.booking_id::text, s.lease_token::text,
	CASE WHEN c.status = 'publishing' THEN 'ready_to_publish' ELSE c.status END, c.recheck, c.held,
	s.listing_oid, s.snapshot_version,
	CASE WHEN (SELECT b.id FROM storage_bookings b WHERE b.id = s.booking_id) IS NULL
		THEN 'gone'
	     WHEN c.hold THEN 'withdraw'
	     WHEN pg_catalog.lower(s.booking_status) IN ('cancelled', 'rejected') THEN 'withdraw'
	     WHEN pg_catalog.lower(s.booking_status) = 'completed' OR s.end_date < now()
		THEN 'complete'
	     ELSE 'publish' END,
	CASE WHEN NOT $6::boolean THEN json_build_object(
		-- begin rule: listing
		'booking_id', s.booking_id::text, 'farmer_id', s.farmer_id::text,
		'crop_type', s.crop_type, 'quantity_kg', s.quantity_kg, 'grade', s.grade,
		'duration_days', s.duration_days, 'start_date', snapctl_iso(s.start_date),
		'end_date', snapctl_iso(s.end_date), 'quality_score', s.quality_score,
		'freshness', s.freshness, 'shelf_life_days', s.shelf_life_days, 'sensors', s.sensors,
		'pest_events', s.pest_events, 'certificates', s.certificates,
		'is_certified', s.is_certified, 'certification_types', s.certification_types,
		'has_pest_alerts', s.has_pest_alerts, 'status', 'published',
		-- end rule: listing
		'updated_at', json_build_object('$date',
			to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) END,
	json_build_object('published_at', json_build_object('$date',
		to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
FROM rows s JOIN claimed c ON c.booking_id = s.booking_id
