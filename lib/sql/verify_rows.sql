-- verify (lib/src/verify.c): what it reads of each snapshot: booking id, status, version,
-- whether it is in flight (not comparable now), a published one's listing (the rule
-- "listing" of sync_claim.sql; updated_at aside, as verify compares) and its listing's _id
-- (for bench/listings.c, which loads and streams the same rows). $1 after, $2 page size: the
-- next page in booking_id order; or $3 ids (uuid[]): these.
SELECT s.booking_id::text, s.status, s.snapshot_version,
	s.status NOT IN ('published', 'withdrawn', 'completed') OR s.recheck
		OR s.lease_token IS NOT NULL OR (s.status = 'published' AND s.end_date < now()),
	CASE WHEN s.status = 'published' THEN json_build_object(
		-- begin rule: listing
		'booking_id', s.booking_id::text, 'farmer_id', s.farmer_id::text,
		'crop_type', s.crop_type, 'quantity_kg', s.quantity_kg, 'grade', s.grade,
		'duration_days', s.duration_days, 'start_date', snapctl_iso(s.start_date),
		'end_date', snapctl_iso(s.end_date), 'quality_score', s.quality_score,
		'freshness', s.freshness, 'shelf_life_days', s.shelf_life_days, 'sensors', s.sensors,
		'pest_events', s.pest_events, 'certificates', s.certificates,
		'is_certified', s.is_certified, 'certification_types', s.certification_types,
		'has_pest_alerts', s.has_pest_alerts, 'status', 'published'
		-- end rule: listing
	)::text END,
	s.listing_oid
FROM market_inventory_snapshots s
WHERE ($3::uuid[] IS NULL AND s.booking_id > $1::uuid) OR s.booking_id = ANY ($3::uuid[])
ORDER BY s.booking_id
LIMIT $2
