-- The indexes on the platform's tables that the aggregation needs, and which of them are missing.
-- An index counts when any valid, non-partial btree index on the table starts with the
-- columns, whatever its name (the platform may have made its own).
-- Returns: name, table, the table and its columns as init-db and status show them
-- ("sensor_readings (sensor_id, reading_time)"), the CREATE INDEX CONCURRENTLY statement, and
-- whether an invalid leftover of an interrupted build holds the name.
WITH wanted(name, tbl, cols) AS (VALUES
	('snapctl_sensor_readings_sensor_time_idx', 'sensor_readings',
	 ARRAY['sensor_id', 'reading_time']),
	('snapctl_iot_sensors_location_idx', 'iot_sensors', ARRAY['location_id']),
	('snapctl_pest_detections_location_time_idx', 'pest_detections',
	 ARRAY['location_id', 'detected_at']),
	('snapctl_compliance_certificates_vendor_idx', 'compliance_certificates',
	 ARRAY['vendor_id']),
	('snapctl_storage_certificates_booking_idx', 'storage_certificates', ARRAY['booking_id']),
	-- upsert --all walks the bookings by location (lib/src/upsert.c, SQL_PAGE)
	('snapctl_storage_bookings_location_idx', 'storage_bookings', ARRAY['location_id', 'id'])
)
SELECT w.name, w.tbl, format('%s (%s)', w.tbl, array_to_string(w.cols, ', ')),
       format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %I ON %I (%s)', w.name, w.tbl,
	      (SELECT string_agg(quote_ident(c), ', ') FROM unnest(w.cols) c)),
       EXISTS (SELECT 1 FROM pg_index i
	       WHERE i.indexrelid = to_regclass(quote_ident(w.name)) AND NOT i.indisvalid)
FROM wanted w
WHERE to_regclass(quote_ident(w.tbl)) IS NOT NULL
  AND NOT EXISTS (
	SELECT 1
	FROM pg_index i
	JOIN pg_class ic ON ic.oid = i.indexrelid
	JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
	WHERE i.indrelid = to_regclass(quote_ident(w.tbl)) AND i.indisvalid
	  AND i.indpred IS NULL
	  AND (SELECT array_agg(a.attname::text ORDER BY k.n)
	       FROM unnest((i.indkey::int2[])[0:cardinality(w.cols) - 1]) WITH ORDINALITY k(att, n)
	       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att) = w.cols)
ORDER BY w.name
