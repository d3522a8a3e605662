/* Reading snapshots back. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The snapshot as published content, keys in SPEC section 3's order, then its bookkeeping in
 * "state"; every timestamp in UTC whatever the session's TimeZone. json, not jsonb: the keys
 * keep the order written here. */
static const char SQL_GET[] =
    "SELECT json_build_object("
    " 'booking_id', s.booking_id, 'farmer_id', s.farmer_id, 'vendor_id', s.vendor_id,"
    " 'location_id', s.location_id, 'crop_type', s.crop_type, 'grade', s.grade,"
    " 'quantity_kg', s.quantity_kg, 'start_date', snapctl_iso(s.start_date),"
    " 'end_date', snapctl_iso(s.end_date), 'duration_days', s.duration_days,"
    " 'booking_status', s.booking_status, 'inspection_id', s.inspection_id,"
    " 'inspection_status', s.inspection_status, 'quality_score', s.quality_score,"
    " 'freshness', s.freshness, 'visual_defects', s.visual_defects,"
    " 'shelf_life_days', s.shelf_life_days, 'sensors', s.sensors,"
    " 'sensor_summary', s.sensor_summary, 'pest_events', s.pest_events,"
    " 'has_pest_alerts', s.has_pest_alerts, 'pest_count', s.pest_count,"
    " 'certificates', s.certificates, 'is_certified', s.is_certified,"
    " 'certification_types', s.certification_types, 'snap_metadata', s.snap_metadata,"
    " 'state', json_build_object("
    "  'status', s.status, 'version', s.snapshot_version,"
    "  'published_version', s.published_version, 'attempts', s.attempts,"
    "  'next_attempt_at', snapctl_iso(s.next_attempt_at),"
    "  'lease_expires_at', snapctl_iso(s.lease_expires_at), 'last_error', s.last_error,"
    "  'listing_id', s.market_listing_id, 'held', s.held, 'recheck', s.recheck,"
    "  'published_at', snapctl_iso(s.published_at),"
    "  'last_synced_at', snapctl_iso(s.last_synced_at),"
    "  'status_changed_at', snapctl_iso(s.status_changed_at), 'id', s.id,"
    "  'created_at', snapctl_iso(s.created_at), 'updated_at', snapctl_iso(s.updated_at)))"
    " FROM market_inventory_snapshots s WHERE s.booking_id = $1";

snap_code snap_snapshot_get(snap_ctx *ctx, const char *booking_id, char **json_out, snap_error *err)
{
	const char *params[1] = {booking_id};
	PGresult *res = NULL;
	snap_code rc;

	*json_out = NULL;
	if (!snap_uuid_valid(booking_id))
		return snap_fail(err, SNAP_ERR_INPUT, "booking id '%.60s' is not a UUID",
		                 booking_id ? booking_id : "");
	if ((rc = pg_exec(ctx, "reading the snapshot", SQL_GET, 1, params, &res, err)) != SNAP_OK)
		goto out;
	if (PQntuples(res) == 0) {
		rc = snap_fail(err, SNAP_ERR_NOT_FOUND, "no snapshot for booking '%s'", booking_id);
		goto out;
	}
	if (!(*json_out = strdup(PQgetvalue(res, 0, 0))))
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
out:
	PQclear(res);
	return rc;
}
