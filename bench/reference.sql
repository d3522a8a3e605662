-- The independent reference for `snapctl upsert --all` (bench/scale.sh): every booking's
-- snapshot, written from SPEC section 3 (and section 9's rules for sensor types and readings)
-- as one INSERT ... SELECT into an empty table, without looking at lib/sql/upsert.sql. Set
-- based as anyone would write it: each location's sensors and pests, and each vendor's
-- certificates, are aggregated once and joined. No batches, no change detection (the table is
-- empty), no content_hash. Where SPEC leaves a choice open, snapctl's documented choice is
-- taken (averages rounded to 2 places, ties broken as snapctl(1) says, letter case ignored in
-- statuses), so that bench/scale.sh can check the content is the same.
--   psql -v pest_limit=50 -f bench/reference.sql
SET jit = off;

INSERT INTO market_inventory_snapshots (
	booking_id, farmer_id, vendor_id, location_id, crop_type, grade, quantity_kg, start_date,
	end_date, duration_days, booking_status, inspection_id, inspection_status, quality_score,
	freshness, visual_defects, shelf_life_days, sensors, sensor_summary, pest_events,
	has_pest_alerts, pest_count, certificates, is_certified, certification_types,
	snap_metadata, snapshot_version, status, status_changed_at, attempts, next_attempt_at,
	created_at, updated_at)
WITH
-- Rule 3: each sensor's latest reading; section 9: a type MongoDB can hold as a key, and a
-- value that is not a finite number shows as null.
reading AS (
	SELECT DISTINCT ON (r.sensor_id)
	       s.id, s.location_id, s.status,
	       CASE WHEN s.sensor_type = '' THEN 'unknown'
		    ELSE regexp_replace(s.sensor_type, '^\$|\.', '_', 'g') END AS type,
	       CASE WHEN r.reading_value IN ('NaN', 'Infinity', '-Infinity') THEN NULL
		    ELSE r.reading_value END AS value,
	       r.reading_unit, r.reading_time, r.alert_triggered
	FROM sensor_readings r
	JOIN iot_sensors s ON s.id = r.sensor_id
	ORDER BY r.sensor_id, r.reading_time DESC, r.reading_value DESC,
		 r.reading_unit COLLATE "C" NULLS LAST, r.alert_triggered NULLS LAST
),
by_location AS (
	SELECT location_id,
	       jsonb_object_agg(type, jsonb_build_object(
			'value', value, 'unit', coalesce(reading_unit, ''),
			'reading_time', snapctl_iso(reading_time),
			'status', coalesce(status, 'active'),
			'alert_triggered', coalesce(alert_triggered, false))) AS sensors,
	       bool_or(coalesce(alert_triggered, false)) AS alert
	FROM (SELECT DISTINCT ON (location_id, type) * FROM reading
	      ORDER BY location_id, type, reading_time DESC, id) newest
	GROUP BY location_id
),
summary AS (
	SELECT location_id, jsonb_object_agg(key, val) AS summary
	FROM (SELECT location_id, type,
		     round(avg(value::numeric), 2) AS a, min(value) AS lo, max(value) AS hi,
		     count(value) AS n
	      FROM reading GROUP BY location_id, type) t,
	     LATERAL (VALUES (type || '_avg', to_jsonb(a)), (type || '_min', to_jsonb(lo)),
			     (type || '_max', to_jsonb(hi)), (type || '_count', to_jsonb(n))) kv(key, val)
	GROUP BY location_id
),
-- Rule 4: the last 7 days on the database clock, newest first, at most pest_limit shown.
pest AS (
	SELECT location_id, count(*)::int AS n,
	       coalesce(bool_or(resolved_at IS NULL AND lower(severity_level) IN ('high', 'critical')),
			false) AS alert,
	       coalesce(jsonb_agg(jsonb_build_object(
			'pest_type', coalesce(pest_type, 'unknown'),
			'severity', coalesce(severity_level, 'low'),
			'confidence', coalesce(confidence_score, 0),
			'detected_at', snapctl_iso(detected_at),
			'action_taken', coalesce(action_taken, 'monitoring'),
			'resolved', resolved_at IS NOT NULL) ORDER BY pos)
			FILTER (WHERE pos <= :pest_limit), '[]') AS events
	FROM (SELECT *, row_number() OVER (PARTITION BY location_id
			ORDER BY detected_at DESC, pest_type COLLATE "C", severity_level COLLATE "C",
				 confidence_score, action_taken COLLATE "C", resolved_at) AS pos
	      FROM pest_detections WHERE detected_at >= now() - interval '7 days') w
	GROUP BY location_id
),
-- Rule 5: a vendor's certificates that are valid and not expired, by (type, id).
vendor AS (
	SELECT vendor_id,
	       jsonb_agg(jsonb_build_object(
			'id', id, 'type', certificate_type,
			'issuer', coalesce(issuing_authority, 'unknown'),
			'certificate_number', coalesce(certificate_number, ''),
			'issue_date', issue_date, 'expiry_date', expiry_date, 'status', status,
			'document_url', coalesce(document_url, ''), 'score', coalesce(score, 0))
			ORDER BY certificate_type COLLATE "C", id) AS certs,
	       array_agg(DISTINCT certificate_type::text COLLATE "C") AS types
	FROM compliance_certificates
	WHERE lower(status) = 'valid'
	  AND (expiry_date IS NULL OR expiry_date >= (now() AT TIME ZONE 'UTC')::date)
	GROUP BY vendor_id
),
-- The booking's storage certificate (the latest issued, should there be several).
storage AS (
	SELECT DISTINCT ON (booking_id) booking_id,
	       jsonb_build_object('id', id, 'type', 'storage_certificate',
			'certificate_number', certificate_number,
			'issued_date', snapctl_iso(issued_date),
			'status', coalesce(certificate_status, 'issued'),
			'digital_signature', digital_signature, 'issued_by', issued_by) AS cert,
	       lower(coalesce(certificate_status, 'issued')) = 'issued' AS certifies
	FROM storage_certificates
	ORDER BY booking_id, issued_date DESC NULLS LAST, id
),
snap AS (
	SELECT b.*, i.id IS NOT NULL AS inspected, i.freshness_score, i.freshness AS fresh,
	       i.visual_defects AS defects, i.shelf_life_days AS shelf,
	       l.sensors, l.alert AS sensor_alert, su.summary, p.n AS pests, p.alert AS pest_alert,
	       p.events, v.certs, v.types, st.cert, coalesce(st.certifies, false) AS st_certifies
	FROM storage_bookings b
	LEFT JOIN crop_inspections i ON i.id = b.ai_inspection_id
	LEFT JOIN by_location l ON l.location_id = b.location_id
	LEFT JOIN summary su ON su.location_id = b.location_id
	LEFT JOIN pest p ON p.location_id = b.location_id
	LEFT JOIN vendor v ON v.vendor_id = b.vendor_id
	LEFT JOIN storage st ON st.booking_id = b.id
),
final AS (
	SELECT *,
	       certs IS NOT NULL OR st_certifies AS certified,
	       CASE WHEN st_certifies
		    THEN ARRAY(SELECT DISTINCT t COLLATE "C"
			       FROM unnest(coalesce(types, '{}') || '{storage_certificate}'::text[]) t
			       ORDER BY 1)
		    ELSE coalesce(types, '{}') END::varchar[] AS cert_types
	FROM snap
)
SELECT id, farmer_id, vendor_id, location_id, crop_type, grade, quantity_kg, start_date,
       end_date, duration_days, booking_status, ai_inspection_id,
       CASE WHEN inspected THEN 'completed' ELSE 'pending' END,
       freshness_score * 100, coalesce(fresh, 'unknown'), coalesce(defects, ''), shelf,
       coalesce(sensors, '{}'), coalesce(summary, '{}'), coalesce(events, '[]'),
       coalesce(pest_alert, false), coalesce(pests, 0),
       coalesce(certs, '[]') || CASE WHEN cert IS NULL THEN '[]' ELSE jsonb_build_array(cert) END,
       certified, cert_types,
       jsonb_build_object('is_certified', certified,
		'certification_types', to_jsonb(cert_types),
		'pest_alert_active', coalesce(pest_alert, false),
		'sensor_health', CASE WHEN sensors IS NULL THEN 'no_data'
				      WHEN sensor_alert THEN 'alert' ELSE 'good' END,
		'last_updated', snapctl_iso(now()), 'buyer_contacts', '[]'::jsonb,
		'special_notes', ''),
       1, 'ready_to_publish', now(), 0, now(), now(), now()
FROM final;
