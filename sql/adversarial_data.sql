-- What production really holds, added to the demo data (sql/demo_data.sql first):
--   psql -f sql/adversarial_data.sql
-- Every row here is legal in the platform's schema and hostile to a naive pipeline: NULL in
-- every nullable column; control characters, quotes, backslashes and non-BMP unicode in every
-- text; readings of NaN, +-Infinity, 1e19, -0 and the extremes of double precision; several
-- sensors of one type; sensor types that are no valid MongoDB key ('$where', 'a.b', '');
-- 10,000 pest detections at one location; certificates with NULL dates and odd statuses;
-- bookings pointing at missing inspections and locations. Ids are md5('adv...') so that tests
-- can name them; tests/integration/adversarial.sh deletes some bookings after publication.
\set ON_ERROR_STOP on
BEGIN;

CREATE TEMP TABLE adv_text ON COMMIT DROP AS
SELECT E'ctl \x01\x02\x1f tab\t nl\n quote" apos'' back\\ pct% under_ \u00e9\u4e2d\U0001F345'::text
	       AS t;

-- Location 1: sensors whose types are no MongoDB key, duplicates, and non-finite readings.
INSERT INTO iot_sensors (id, location_id, sensor_type, status)
SELECT md5('adv-sensor' || k)::uuid, md5('adv-location1')::uuid, v.type, v.status
FROM (VALUES (1, '$where', 'active'), (2, 'a.b', NULL), (3, '', 'maintenance'),
	     (4, 'temperature', 'active'), (5, 'temperature', 'inactive'),
	     (6, '$oid', NULL), (7, '$date', 'active'), (8, 'x.y.z', 'active'),
	     (9, 'nan', 'active'), (10, 'inf', 'active'), (11, 'neginf', NULL),
	     (12, 'big', 'active'), (13, 'negzero', 'active'), (14, 'tiny', 'active'),
	     (15, E'ctl\x01"q"', NULL), (16, 'huge', 'active'), (17, 'a_b', 'active'))
     AS v(k, type, status);

INSERT INTO sensor_readings (sensor_id, reading_value, reading_unit, reading_time,
			     alert_triggered)
SELECT md5('adv-sensor' || k)::uuid, v.value, v.unit, date_trunc('hour', now()) - v.age, v.alert
FROM (VALUES (1, 1.5::float8, NULL, interval '1 minute', NULL::boolean),
	     (2, 'NaN', '', interval '2 minutes', true),
	     (3, 'Infinity', E'\x02', interval '3 minutes', NULL),
	     (4, 4.25, '°C', interval '5 minutes', false),
	     (5, 0.1::float8 + 0.2::float8, '°C', interval '4 minutes', false),
	     (6, '-Infinity', NULL, interval '5 minutes', NULL),
	     (7, 1e19, NULL, interval '6 minutes', NULL),
	     (8, -0.0, NULL, interval '7 minutes', NULL),
	     (9, 'NaN', NULL, interval '8 minutes', NULL),
	     (10, 'Infinity', NULL, interval '9 minutes', NULL),
	     (11, '-Infinity', NULL, interval '10 minutes', NULL),
	     (12, -1e19, NULL, interval '11 minutes', NULL),
	     (13, '-0', NULL, interval '12 minutes', NULL),
	     (14, 5e-324, NULL, interval '13 minutes', NULL),
	     (15, 1.7976931348623157e308, NULL, interval '14 minutes', NULL),
	     (16, 9223372036854775807, NULL, interval '15 minutes', NULL),
	     (17, 2, NULL, interval '16 minutes', NULL)) AS v(k, value, unit, age, alert);

-- Location 2: 10,000 pest detections in the window, text as bad as it gets.
INSERT INTO pest_detections (location_id, pest_type, severity_level, confidence_score,
			     detected_at, action_taken, resolved_at)
SELECT md5('adv-location2')::uuid,
       CASE WHEN i % 3 = 0 THEN NULL ELSE t.t || i END,
       (ARRAY[NULL, 'HIGH', 'Critical', 'low', '', E'\x01'])[i % 6 + 1],
       (ARRAY[NULL, 'NaN', 'Infinity', '-0', '1e19', '0.1'])[i % 6 + 1]::float8,
       CASE WHEN i % 97 = 0 THEN NULL ELSE now() - (i % 5000) * interval '1 minute' END,
       CASE WHEN i % 4 = 0 THEN NULL ELSE t.t END,
       CASE WHEN i % 5 = 0 THEN now() END
FROM adv_text t, generate_series(1, 10000) i;

-- A vendor whose certificates have NULL dates and statuses in every spelling.
INSERT INTO compliance_certificates (id, vendor_id, certificate_type, certificate_number,
				     issuing_authority, issue_date, expiry_date, status,
				     document_url, score)
SELECT md5('adv-cert' || k)::uuid, md5('adv-vendor')::uuid, v.type, v.num, v.issuer, NULL,
       v.expiry, v.status, v.url, v.score
FROM adv_text t,
     LATERAL (VALUES (1, 'organic', NULL, NULL, NULL::date, 'VALID', NULL, NULL::int),
		     (2, '', t.t, t.t, NULL, 'Valid', t.t, -2147483648),
		     (3, t.t, '', '', '1970-01-01', 'valid', '', 2147483647),
		     (4, 'haccp', NULL, NULL, 'infinity', 'valid', NULL, 0),
		     (5, 'gap', NULL, NULL, '9999-12-31', NULL, NULL, NULL),
		     (6, 'iso', NULL, NULL, NULL, '', NULL, NULL),
		     (7, 'fair', NULL, NULL, NULL, 'revoked', NULL, NULL),
		     (8, 'odd', NULL, NULL, NULL, left(t.t, 24), NULL, NULL))
	     AS v(k, type, num, issuer, expiry, status, url, score);

-- An inspection with every nullable column NULL, one with the extremes.
INSERT INTO crop_inspections (id, freshness_score, freshness, visual_defects, shelf_life_days)
SELECT md5('adv-inspection1')::uuid, NULL, NULL, NULL, NULL
UNION ALL
SELECT md5('adv-inspection2')::uuid, 9.99, left(t.t, 120), t.t, -2147483648 FROM adv_text t;

-- The bookings: adv-booking1..8 (4 to 8 are deleted after publication by the tests).
INSERT INTO storage_bookings (id, farmer_id, location_id, vendor_id, crop_type, quantity_kg,
			      grade, duration_days, start_date, end_date, ai_inspection_id,
			      booking_status)
SELECT md5('adv-booking' || k)::uuid, v.farmer, v.location, v.vendor, v.crop, v.qty, v.grade,
       v.days, v.start, v.end_, v.inspection, v.status
FROM adv_text t,
     LATERAL (VALUES
	-- non-finite readings and keys from data, a vendor of odd certificates
	(1, md5('adv-farmer')::uuid, md5('adv-location1')::uuid, md5('adv-vendor')::uuid,
	 left(t.t, 120), 2147483647, left(t.t, 16), -1, now() - interval '1 day',
	 now() + interval '30 days', md5('adv-inspection2')::uuid, 'Confirmed'),
	-- 10,000 pests
	(2, NULL, md5('adv-location2')::uuid, NULL, E'\U0001F345', 0, '', 0, NULL,
	 'infinity'::timestamptz, md5('adv-inspection1')::uuid, NULL),
	-- nothing but an id
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	-- a missing inspection, location and vendor
	(4, md5('adv-farmer')::uuid, md5('adv-nowhere')::uuid, md5('adv-novendor')::uuid,
	 'wheat', -5, 'A', 10, now(), now() + interval '10 days', md5('adv-missing')::uuid,
	 'ACTIVE'),
	(5, md5('adv-farmer')::uuid, md5('adv-location1')::uuid, NULL, 'rice', 1, 'B', 1,
	 now(), now() + interval '5 days', NULL, 'pending'),
	(6, md5('adv-farmer')::uuid, md5('adv-location2')::uuid, md5('adv-vendor')::uuid,
	 'maize', 1, NULL, 1, now(), now() + interval '5 days', NULL, 'CONFIRMED'),
	(7, NULL, NULL, NULL, 'beans', 1, NULL, 1, now(), now() + interval '5 days', NULL,
	 'ACTIVE'),
	(8, NULL, md5('adv-location1')::uuid, NULL, 'peas', 1, NULL, 1, now(),
	 now() + interval '5 days', NULL, 'confirmed'))
	AS v(k, farmer, location, vendor, crop, qty, grade, days, start, end_, inspection,
	     status);

-- Storage certificates: NULL in every nullable column, odd statuses, text from hell.
INSERT INTO storage_certificates (id, booking_id, certificate_number, issued_date,
				  certificate_status, digital_signature, issued_by)
SELECT md5('adv-scert1')::uuid, md5('adv-booking1')::uuid, '', NULL::timestamptz, NULL, NULL,
       NULL::uuid
UNION ALL
SELECT md5('adv-scert2')::uuid, md5('adv-booking2')::uuid, left(t.t, 64), '-infinity',
       'ISSUED', t.t, md5('adv-issuer')::uuid FROM adv_text t;

COMMIT;
