-- Aggregates bookings into snapshots and writes those whose content changed (SPEC section 3).
--   $1 uuid[]  the bookings, each once (the library drops repeats: grouping them here would
--              hide their number from the planner, which then probes every source table by
--              key even for a batch of 100,000, where scans and hash joins take half the time)
--   $2 int     pest events kept per snapshot
-- A row is only rewritten at the version this statement saw: then its content was computed
-- from a snapshot of the sources that holds every earlier write of it. A row that appeared or
-- moved on since (a concurrent upsert committed first) is left alone and reported 'raced': the
-- caller locks those rows and runs the statement again for them.
-- Unchanged content is found by content_hash (see keyed), so an unchanged booking costs
-- neither a write, nor a read of its stored JSON, nor the building of its own.
-- Returns one row per id of $1, in no particular order (sorting them here took 2.5% of a batch
-- of 20,000 new bookings; the caller puts them in order by ord):
--   booking_id, action (created | updated | unchanged | raced | not_found), status, version,
--   ord (the id's place in $1, from 1).
-- not_found: neither a booking nor a snapshot; a snapshot whose booking is gone is 'updated'
-- when this statement marks it (see gone), 'unchanged' after.
WITH input AS (
	SELECT id, ord FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord)
),
bk AS (
	SELECT b.id, b.farmer_id, b.vendor_id, b.location_id, b.crop_type, b.grade, b.quantity_kg,
	       b.start_date, b.end_date, b.duration_days, b.ai_inspection_id, b.booking_status
	FROM storage_bookings b
	JOIN input i ON i.id = b.id
),
-- Every sensor at the bookings' locations with its latest reading; sensors without one drop out.
-- Ties on reading_time are broken on the reading itself so the choice is deterministic.
-- SPEC section 9: the type becomes an object key MongoDB can hold (no leading '$', no '.', not
-- empty), and a reading that is not a finite number shows as null and counts for nothing.
latest AS (
	SELECT s.location_id, s.id AS sensor_id,
	       CASE WHEN s.sensor_type = '' THEN 'unknown'
		    ELSE pg_catalog.regexp_replace(s.sensor_type::text, '^\$|\.', '_', 'g') END
		       AS sensor_type,
	       s.status,
	       CASE WHEN r.reading_value IN ('NaN', 'Infinity', '-Infinity') THEN NULL
		    ELSE r.reading_value END AS reading_value,
	       r.reading_unit, r.reading_time, r.alert_triggered
	FROM (SELECT DISTINCT location_id FROM bk) l
	JOIN iot_sensors s ON s.location_id = l.location_id
	CROSS JOIN LATERAL (
		SELECT r.reading_value, r.reading_unit, r.reading_time, r.alert_triggered
		FROM sensor_readings r
		WHERE r.sensor_id = s.id
		ORDER BY r.reading_time DESC, r.reading_value DESC,
			 r.reading_unit COLLATE "C" NULLS LAST, r.alert_triggered NULLS LAST
		LIMIT 1
	) r
),
-- FIX: per type, the sensor with the newest reading (ties: lowest sensor id), not any.
sensors AS (
	SELECT location_id,
	       jsonb_object_agg(sensor_type, jsonb_build_object(
			'value', reading_value,
			'unit', coalesce(reading_unit, ''),
			'reading_time', snapctl_iso(reading_time),
			'status', coalesce(status, 'active'),
			'alert_triggered', coalesce(alert_triggered, false))) AS sensors,
	       bool_or(coalesce(alert_triggered, false)) AS alert
	FROM (SELECT DISTINCT ON (location_id, sensor_type) *
	      FROM latest
	      ORDER BY location_id, sensor_type, reading_time DESC, sensor_id) shown
	GROUP BY location_id
),
-- Flat <type>_avg/_min/_max/_count over the latest value of each sensor of a type. The average
-- is taken in numeric (exact, so independent of row order) and rounded to 2 places.
summary AS (
	SELECT t.location_id, jsonb_object_agg(t.sensor_type || kv.k, kv.v) AS summary
	FROM (SELECT location_id, sensor_type,
		     round(avg(reading_value::numeric), 2) AS avg,
		     min(reading_value) AS min, max(reading_value) AS max,
		     count(reading_value) AS n
	      FROM latest
	      GROUP BY location_id, sensor_type) t
	CROSS JOIN LATERAL (VALUES ('_avg', to_jsonb(t.avg)), ('_min', to_jsonb(t.min)),
				   ('_max', to_jsonb(t.max)), ('_count', to_jsonb(t.n))) kv(k, v)
	GROUP BY t.location_id
),
-- FIX: the window is on the database clock in timestamptz. pest_count is not capped.
-- FIX: only unresolved high or critical detections raise the alert.
pests AS (
	SELECT p.location_id, count(*) AS n,
	       bool_or(p.resolved_at IS NULL AND pg_catalog.lower(p.severity_level) IN ('high', 'critical'))
		       AS alert,
	       coalesce(jsonb_agg(jsonb_build_object(
			'pest_type', coalesce(p.pest_type, 'unknown'),
			'severity', coalesce(p.severity_level, 'low'),
			'confidence', coalesce(p.confidence_score, 0),
			'detected_at', snapctl_iso(p.detected_at),
			'action_taken', coalesce(p.action_taken, 'monitoring'),
			'resolved', p.resolved_at IS NOT NULL) ORDER BY p.rn) FILTER (WHERE p.rn <= $2),
		'[]') AS events
	FROM (SELECT d.*,
		     row_number() OVER (PARTITION BY d.location_id
					ORDER BY d.detected_at DESC, d.pest_type COLLATE "C",
						 d.severity_level COLLATE "C", d.confidence_score,
						 d.action_taken COLLATE "C", d.resolved_at) AS rn
	      FROM pest_detections d
	      WHERE d.location_id IN (SELECT location_id FROM bk)
		AND d.detected_at >= now() - interval '7 days') p
	GROUP BY p.location_id
),
-- FIX: a vendor certificate counts only while valid and not expired (UTC date).
vcerts AS (
	SELECT v.*, hash_record_extended(ROW(v.certs, v.types), 0) AS h
	FROM (SELECT c.vendor_id,
		     jsonb_agg(jsonb_build_object(
				'id', c.id,
				'type', c.certificate_type,
				'issuer', coalesce(c.issuing_authority, 'unknown'),
				'certificate_number', coalesce(c.certificate_number, ''),
				'issue_date', c.issue_date,
				'expiry_date', c.expiry_date,
				'status', c.status,
				'document_url', coalesce(c.document_url, ''),
				'score', coalesce(c.score, 0))
			ORDER BY c.certificate_type COLLATE "C", c.id) AS certs,
		     array_agg(DISTINCT c.certificate_type::text COLLATE "C"
			       ORDER BY c.certificate_type::text COLLATE "C") AS types
	      FROM compliance_certificates c
	      WHERE c.vendor_id IN (SELECT vendor_id FROM bk)
		AND pg_catalog.lower(c.status) = 'valid'
		AND (c.expiry_date IS NULL OR c.expiry_date >= (now() AT TIME ZONE 'UTC')::date)
	      GROUP BY c.vendor_id) v
),
-- At most one per booking; should the data hold more, the latest issued wins. Joined once, in
-- keyed, which hands it on to content (joined again there, after the location's parts, the
-- batch's rows were sorted to meet it: 150 MB written to disk for 100,000 new bookings).
-- FIX: only an issued storage certificate certifies.
scert AS (
	SELECT s.*, hash_record_extended(ROW(s.cert, s.certifies), 0) AS h
	FROM (SELECT DISTINCT ON (sc.booking_id) sc.booking_id,
		     jsonb_build_object(
				'id', sc.id,
				'type', 'storage_certificate',
				'certificate_number', sc.certificate_number,
				'issued_date', snapctl_iso(sc.issued_date),
				'status', coalesce(sc.certificate_status, 'issued'),
				'digital_signature', sc.digital_signature,
				'issued_by', sc.issued_by) AS cert,
		     pg_catalog.lower(coalesce(sc.certificate_status, 'issued')) = 'issued' AS certifies
	      FROM storage_certificates sc
	      JOIN bk ON bk.id = sc.booking_id
	      ORDER BY sc.booking_id, sc.issued_date DESC NULLS LAST, sc.id) s
),
-- What every booking at a location shows, built once per location.
loc AS (
	SELECT l.*, hash_record_extended(ROW(l.sensors, l.sensor_alert, l.summary, l.events,
					     l.pest_count, l.pest_alert), 0) AS h
	FROM (SELECT b.location_id, se.sensors, se.alert AS sensor_alert, su.summary, p.events,
		     p.n AS pest_count, p.alert AS pest_alert
	      FROM (SELECT DISTINCT location_id FROM bk) b
	      LEFT JOIN sensors se ON se.location_id = b.location_id
	      LEFT JOIN summary su ON su.location_id = b.location_id
	      LEFT JOIN pests p ON p.location_id = b.location_id) l
),
-- content_hash: a hash of everything a snapshot's content is made of (the booking, its
-- inspection, and the parts above, each hashed once), so that the same sources give the same
-- hash and unchanged bookings are found without building their JSON. The leading 1 is the
-- version of the rules that turn those parts into a snapshot: bump it when they change.
keyed AS (
	SELECT b.*, ci.id IS NOT NULL AS inspected, ci.freshness_score, ci.freshness,
	       ci.visual_defects, ci.shelf_life_days, sc.cert, sc.certifies,
	       hash_record_extended(ROW(1, b.farmer_id, b.vendor_id, b.location_id, b.crop_type,
			b.grade, b.quantity_kg, b.start_date, b.end_date, b.duration_days,
			b.booking_status, b.ai_inspection_id, ci.id IS NULL, ci.freshness_score,
			ci.freshness, ci.visual_defects, ci.shelf_life_days, l.h, vc.h, sc.h), 0)
		       AS content_hash
	FROM bk b
	LEFT JOIN crop_inspections ci ON ci.id = b.ai_inspection_id
	LEFT JOIN loc l ON l.location_id = b.location_id
	LEFT JOIN vcerts vc ON vc.vendor_id = b.vendor_id
	LEFT JOIN scert sc ON sc.booking_id = b.id
),
-- Each id of $1 with what this statement's snapshot holds of it: its booking (found, the hash of
-- its content) and its stored snapshot (seen_*). new_content: a booking without a snapshot or
-- whose hash moved; only those are built and written, and the rest cost nothing more than this.
judged AS MATERIALIZED (
	SELECT i.id, i.ord, k.id IS NOT NULL AS found, k.content_hash,
	       k.id IS NOT NULL AND (cur.booking_id IS NULL
				     OR cur.content_hash IS DISTINCT FROM k.content_hash) AS new_content,
	       cur.booking_id AS seen_id, cur.snapshot_version AS seen_version,
	       cur.status AS seen_status, cur.content_hash AS seen_hash,
	       cur.booking_status AS seen_booking_status
	FROM input i
	LEFT JOIN keyed k ON k.id = i.id
	LEFT JOIN market_inventory_snapshots cur ON cur.booking_id = i.id
),
-- The full content, built only for new bookings and those whose hash moved. Those are taken
-- first (OFFSET 0 keeps the planner from joining the parts to every booking of the batch and
-- dropping the rest after: it cannot know how few a judged filter leaves; 887 changed of
-- 100,000 took 2.3 s that way, 1.85 s this way).
content AS (
	SELECT k.id AS booking_id, k.farmer_id, k.vendor_id, k.location_id, k.crop_type, k.grade,
	       k.quantity_kg, k.start_date, k.end_date, k.duration_days, k.booking_status,
	       k.ai_inspection_id AS inspection_id,
	       CASE WHEN k.inspected THEN 'completed' ELSE 'pending' END AS inspection_status,
	       k.freshness_score * 100 AS quality_score, -- FIX: 0 to 100, NULL stays NULL
	       coalesce(k.freshness, 'unknown') AS freshness,
	       coalesce(k.visual_defects, '') AS visual_defects,
	       k.shelf_life_days,
	       coalesce(l.sensors, '{}') AS sensors,
	       coalesce(l.summary, '{}') AS sensor_summary,
	       coalesce(l.events, '[]') AS pest_events,
	       coalesce(l.pest_alert, false) AS has_pest_alerts,
	       coalesce(l.pest_count, 0)::int AS pest_count,
	       coalesce(vc.certs, '[]') ||
		       CASE WHEN k.cert IS NULL THEN '[]' ELSE jsonb_build_array(k.cert) END
		       AS certificates,
	       vc.vendor_id IS NOT NULL OR coalesce(k.certifies, false) AS is_certified,
	       (CASE WHEN k.certifies
		     THEN ARRAY(SELECT DISTINCT t COLLATE "C"
				FROM unnest(vc.types || '{storage_certificate}'::text[]) t
				ORDER BY 1)
		     ELSE coalesce(vc.types, '{}') END)::varchar[] AS certification_types,
	       -- FIX: 'alert' when a shown reading alerts (it was inverted).
	       CASE WHEN l.sensors IS NULL THEN 'no_data'
		    WHEN l.sensor_alert THEN 'alert' ELSE 'good' END AS sensor_health,
	       k.content_hash,
	       k.seen_version
	FROM (SELECT k.*, j.seen_version FROM judged j JOIN keyed k ON k.id = j.id
	      WHERE j.new_content OFFSET 0) k
	LEFT JOIN loc l ON l.location_id = k.location_id
	LEFT JOIN vcerts vc ON vc.vendor_id = k.vendor_id
),
w AS (
	INSERT INTO market_inventory_snapshots AS s (
		booking_id, farmer_id, vendor_id, location_id, crop_type, grade, quantity_kg,
		start_date, end_date, duration_days, booking_status, inspection_id,
		inspection_status, quality_score, freshness, visual_defects, shelf_life_days,
		sensors, sensor_summary, pest_events, has_pest_alerts, pest_count, certificates,
		is_certified, certification_types, snap_metadata, content_hash, snapshot_version,
		status, status_changed_at, attempts, next_attempt_at, created_at, updated_at)
	SELECT booking_id, farmer_id, vendor_id, location_id, crop_type, grade, quantity_kg,
	       start_date, end_date, duration_days, booking_status, inspection_id,
	       inspection_status, quality_score, freshness, visual_defects, shelf_life_days,
	       sensors, sensor_summary, pest_events, has_pest_alerts, pest_count, certificates,
	       is_certified, certification_types,
	       jsonb_build_object(
			'is_certified', is_certified,
			'certification_types', to_jsonb(certification_types),
			'pest_alert_active', has_pest_alerts,
			'sensor_health', sensor_health,
			'last_updated', (SELECT snapctl_iso(now())),
			'buyer_contacts', '[]'::jsonb,
			'special_notes', ''),
	       content_hash,
	       -- the version this write makes; on conflict, minus one is the version it saw
	       coalesce(seen_version, 0) + 1,
	       'ready_to_publish', now(), 0, now(), now(), now()
	-- Unchanged bookings cost no write at all, not even the INSERT's conflict check.
	FROM content
	ON CONFLICT (booking_id) DO UPDATE SET
		farmer_id = EXCLUDED.farmer_id,
		vendor_id = EXCLUDED.vendor_id,
		location_id = EXCLUDED.location_id,
		crop_type = EXCLUDED.crop_type,
		grade = EXCLUDED.grade,
		quantity_kg = EXCLUDED.quantity_kg,
		start_date = EXCLUDED.start_date,
		end_date = EXCLUDED.end_date,
		duration_days = EXCLUDED.duration_days,
		booking_status = EXCLUDED.booking_status,
		inspection_id = EXCLUDED.inspection_id,
		inspection_status = EXCLUDED.inspection_status,
		quality_score = EXCLUDED.quality_score,
		freshness = EXCLUDED.freshness,
		visual_defects = EXCLUDED.visual_defects,
		shelf_life_days = EXCLUDED.shelf_life_days,
		sensors = EXCLUDED.sensors,
		sensor_summary = EXCLUDED.sensor_summary,
		pest_events = EXCLUDED.pest_events,
		has_pest_alerts = EXCLUDED.has_pest_alerts,
		pest_count = EXCLUDED.pest_count,
		certificates = EXCLUDED.certificates,
		is_certified = EXCLUDED.is_certified,
		certification_types = EXCLUDED.certification_types,
		snap_metadata = EXCLUDED.snap_metadata,
		content_hash = EXCLUDED.content_hash,
		snapshot_version = EXCLUDED.snapshot_version,
		-- New content must reach Market Connect: whatever the state, publish again; a
		-- worker holding a lease on the old version loses it (its fence no longer matches).
		-- An operator's withdraw holds until publish (SPEC section 9).
		status = CASE WHEN s.held AND s.status = 'withdrawn' THEN s.status
			      ELSE 'ready_to_publish' END,
		status_changed_at = CASE WHEN s.status = 'ready_to_publish'
					      OR (s.held AND s.status = 'withdrawn')
					 THEN s.status_changed_at ELSE now() END,
		attempts = 0,
		next_attempt_at = now(),
		last_error = NULL,
		lease_token = NULL,
		lease_expires_at = NULL,
		updated_at = now()
		-- created_at is never rewritten (FIX)
	-- Only at the version this statement saw.
	WHERE s.snapshot_version = EXCLUDED.snapshot_version - 1
	RETURNING s.booking_id, s.status, s.snapshot_version
),
-- SPEC section 9: a snapshot whose booking was deleted from the source is marked once (at the
-- version this statement saw) and made due; sync-all then removes its listing and withdraws it
-- (see ACTION in lib/src/sync.c). Finished snapshots have no listing left to remove.
gone AS (
	UPDATE market_inventory_snapshots s SET
		booking_status = 'DELETED',
		content_hash = NULL,
		snapshot_version = s.snapshot_version + 1,
		status = 'ready_to_publish',
		status_changed_at = now(),
		attempts = 0,
		next_attempt_at = now(),
		last_error = 'the booking no longer exists',
		lease_token = NULL,
		lease_expires_at = NULL,
		updated_at = now()
	FROM judged j
	WHERE s.booking_id = j.seen_id
	  AND NOT j.found
	  AND j.seen_booking_status IS DISTINCT FROM 'DELETED'
	  AND j.seen_status NOT IN ('withdrawn', 'completed')
	  AND s.snapshot_version = j.seen_version
	RETURNING s.booking_id, s.status, s.snapshot_version
)
SELECT j.id::text,
       CASE WHEN g.booking_id IS NOT NULL THEN 'updated'
	    WHEN NOT j.found AND j.seen_id IS NULL THEN 'not_found'
	    WHEN NOT j.found AND (j.seen_booking_status = 'DELETED'
				  OR j.seen_status IN ('withdrawn', 'completed')) THEN 'unchanged'
	    WHEN NOT j.found THEN 'raced'
	    WHEN w.booking_id IS NOT NULL AND j.seen_id IS NULL THEN 'created'
	    WHEN w.booking_id IS NOT NULL THEN 'updated'
	    WHEN j.seen_hash = j.content_hash THEN 'unchanged'
	    ELSE 'raced' END,
       coalesce(w.status, g.status, j.seen_status),
       coalesce(w.snapshot_version, g.snapshot_version, j.seen_version),
       j.ord
FROM judged j
LEFT JOIN w ON w.booking_id = j.id
LEFT JOIN gone g ON g.booking_id = j.id
