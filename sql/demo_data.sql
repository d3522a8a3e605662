-- Deterministic demo and benchmark data for the reference source schema.
--   psql -v bookings=N [-v readings=R] -f sql/demo_data.sql      (defaults: 500 bookings, 12)
-- Every id and value is a function of the row number, so two runs make the same rows; times
-- are relative to the current hour so that "the last 7 days" and "ended" mean something.
-- Edge cases, each at a fixed stride: NULL in every nullable column, locations without
-- sensors, several sensors of one type, maintenance and inactive sensors, sensors without
-- readings, resolved and unresolved high/critical pests (some outside the window), expired
-- "valid" certificates, pending/revoked storage certificates, cancelled, rejected, completed
-- and ended bookings, unicode and quotes in text, 120-character freshness labels, dangling
-- inspection ids.
\set ON_ERROR_STOP on
\if :{?bookings}
\else
\set bookings 500
\endif
\if :{?readings}
\else
\set readings 12
\endif

BEGIN;
CREATE TEMP TABLE demo_params ON COMMIT DROP AS
SELECT :bookings::int AS n,
       greatest(1, :bookings::int / 40) AS locations,
       greatest(1, :bookings::int / 100) AS vendors,
       :readings::int AS readings,
       date_trunc('hour', now()) AS base;

-- Four sensors per location: two temperature (several of one type), humidity, co2. Every 10th
-- location has none.
INSERT INTO iot_sensors (id, location_id, sensor_type, status)
SELECT md5('sensor' || l || '/' || k)::uuid, md5('location' || l)::uuid,
       (ARRAY['temperature', 'temperature', 'humidity', 'co2'])[k],
       CASE WHEN (l * 4 + k) % 7 = 0 THEN 'maintenance'
	    WHEN (l * 4 + k) % 11 = 0 THEN NULL
	    WHEN (l * 4 + k) % 13 = 0 THEN 'inactive'
	    ELSE 'active' END
FROM demo_params p, generate_series(1, p.locations) l, generate_series(1, 4) k
WHERE l % 10 <> 0;

-- Readings every 10 minutes; every 9th sensor has none at all.
INSERT INTO sensor_readings (sensor_id, reading_value, reading_unit, reading_time,
			     alert_triggered)
SELECT md5('sensor' || l || '/' || k)::uuid,
       CASE k WHEN 3 THEN 60 + (l * 7 + r) % 30 WHEN 4 THEN 400 + (l * 13 + r) % 200
	      ELSE 2 + ((l * 3 + k + r) % 80) / 10.0 END,
       CASE WHEN (l + r) % 5 = 0 THEN NULL
	    ELSE (ARRAY['°C', '°C', '%', 'ppm'])[k] END,
       p.base - (r * interval '10 minutes'),
       CASE WHEN (l + k + r) % 6 = 0 THEN NULL ELSE (l + k + r) % 9 = 0 END
FROM demo_params p, generate_series(1, p.locations) l, generate_series(1, 4) k,
     generate_series(0, p.readings - 1) r
WHERE l % 10 <> 0 AND (l * 4 + k) % 9 <> 0;

-- Pests at every third location, some older than the 7-day window, some resolved.
INSERT INTO pest_detections (location_id, pest_type, severity_level, confidence_score,
			     detected_at, action_taken, resolved_at)
SELECT md5('location' || l)::uuid,
       CASE WHEN j % 6 = 5 THEN NULL
	    ELSE (ARRAY['weevil', 'moth', 'rodent', 'mould "black"', 'fruit fly'])[j % 5 + 1] END,
       (ARRAY['low', 'medium', 'high', 'critical', NULL, 'HIGH', 'Critical'])[(l + j) % 7 + 1],
       CASE WHEN j % 4 = 3 THEN NULL ELSE 0.5 + ((l + j) % 50) / 100.0 END,
       p.base - (j * interval '1 day 3 hours'),
       CASE WHEN j % 3 = 2 THEN NULL ELSE 'fumigation scheduled' END,
       CASE WHEN (l + j) % 3 = 0 THEN p.base - (j * interval '1 day') END
FROM demo_params p, generate_series(1, p.locations) l, generate_series(0, 8) j
WHERE l % 3 = 0;

-- Vendor compliance certificates: some valid, some "valid" but expired, some revoked.
INSERT INTO compliance_certificates (id, vendor_id, certificate_type, certificate_number,
				     issuing_authority, issue_date, expiry_date, status,
				     document_url, score)
SELECT md5('cert' || v || '/' || c)::uuid, md5('vendor' || v)::uuid,
       (ARRAY['FSSAI', 'ISO22000', 'HACCP', 'organic'])[(v + c) % 4 + 1],
       CASE WHEN (v + c) % 5 = 0 THEN NULL ELSE 'CN-' || v || '-' || c END,
       CASE WHEN (v + c) % 6 = 0 THEN NULL ELSE 'Autorité d''inspection ' || v END,
       CASE WHEN (v + c) % 7 = 0 THEN NULL ELSE (p.base - interval '400 days')::date END,
       CASE WHEN (v + c) % 4 = 0 THEN NULL
	    WHEN (v + c) % 4 = 1 THEN (p.base - interval '3 days')::date
	    ELSE (p.base + interval '200 days')::date END,
       (ARRAY['valid', 'VALID', 'expired', 'revoked', 'pending', NULL, 'Valid'])[(v * 3 + c) % 7 + 1],
       CASE WHEN (v + c) % 3 = 0 THEN NULL ELSE 'https://docs.example/' || v || '/' || c END,
       CASE WHEN (v + c) % 8 = 0 THEN NULL ELSE 60 + (v + c) % 40 END
FROM demo_params p, generate_series(1, p.vendors) v, generate_series(1, 3) c;

INSERT INTO crop_inspections (id, freshness_score, freshness, visual_defects, shelf_life_days)
SELECT md5('inspection' || i)::uuid,
       CASE WHEN i % 12 = 0 THEN NULL ELSE (i % 101) / 100.0 END,
       CASE WHEN i % 14 = 0 THEN NULL
	    WHEN i % 17 = 0 THEN rpad('very fresh, firm, glossy skin, no bruising ', 120, 'é')
	    ELSE (ARRAY['excellent', 'good', 'fair', 'poor'])[i % 4 + 1] END,
       CASE WHEN i % 8 = 0 THEN NULL
	    WHEN i % 8 = 1 THEN 'minor "sun" scald; 2% soft'
	    ELSE 'none' END,
       CASE WHEN i % 9 = 0 THEN NULL ELSE 5 + i % 40 END
FROM demo_params p, generate_series(1, p.n) i;

INSERT INTO storage_bookings (id, farmer_id, location_id, vendor_id, crop_type, quantity_kg,
			      grade, duration_days, start_date, end_date, ai_inspection_id,
			      booking_status)
SELECT md5('booking' || i)::uuid,
       md5('farmer' || i % greatest(1, p.n / 5))::uuid,
       md5('location' || i % p.locations + 1)::uuid,
       CASE WHEN i % 8 = 0 THEN NULL ELSE md5('vendor' || i % p.vendors + 1)::uuid END,
       (ARRAY['tomato', 'potato', 'onion', 'mango ''alphonso''', 'chili "hot"', 'café beans',
	      'ñame', '大白菜'])[i % 8 + 1],
       100 + i % 900,
       CASE WHEN i % 9 = 0 THEN NULL ELSE (ARRAY['A', 'B', 'C'])[i % 3 + 1] END,
       30 + i % 60,
       p.base - ((i % 60) * interval '1 day'),
       -- every 23rd booking ended yesterday
       CASE WHEN i % 23 = 0 THEN p.base - interval '1 day'
	    ELSE p.base - ((i % 60) * interval '1 day') + ((30 + i % 60) * interval '1 day') END,
       CASE WHEN i % 10 = 0 THEN NULL
	    WHEN i % 15 = 0 THEN md5('no such inspection' || i)::uuid
	    ELSE md5('inspection' || i)::uuid END,
       CASE WHEN i % 20 = 0 THEN 'CANCELLED' WHEN i % 31 = 0 THEN 'REJECTED'
	    WHEN i % 25 = 0 THEN 'COMPLETED' WHEN i % 11 = 0 THEN NULL
	    ELSE (ARRAY['CONFIRMED', 'ACTIVE', 'PENDING', 'confirmed'])[i % 4 + 1] END
FROM demo_params p, generate_series(1, p.n) i;

INSERT INTO storage_certificates (id, booking_id, certificate_number, issued_date,
				  certificate_status, digital_signature, issued_by)
SELECT md5('storage-cert' || i)::uuid, md5('booking' || i)::uuid, 'SC-' || lpad(i::text, 8, '0'),
       CASE WHEN i % 16 = 0 THEN NULL ELSE p.base - interval '2 days' END,
       (ARRAY['issued', 'pending', 'revoked', 'expired', NULL, 'ISSUED'])[(i / 4) % 6 + 1],
       CASE WHEN i % 3 = 0 THEN NULL ELSE encode(sha256(('sig' || i)::bytea), 'hex') END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE md5('officer' || i % 7)::uuid END
FROM demo_params p, generate_series(1, p.n) i
WHERE i % 4 = 0;
COMMIT;
ANALYZE;
