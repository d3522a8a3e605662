/* Reading snapshots back. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The whole row, with every timestamp re-rendered in UTC whatever the session's TimeZone. */
static const char SQL_GET[] =
    "SELECT to_jsonb(s) || jsonb_build_object("
    " 'start_date', snapctl_iso(s.start_date), 'end_date', snapctl_iso(s.end_date),"
    " 'published_at', snapctl_iso(s.published_at),"
    " 'last_synced_at', snapctl_iso(s.last_synced_at),"
    " 'created_at', snapctl_iso(s.created_at), 'updated_at', snapctl_iso(s.updated_at),"
    " 'status_changed_at', snapctl_iso(s.status_changed_at),"
    " 'next_attempt_at', snapctl_iso(s.next_attempt_at),"
    " 'lease_expires_at', snapctl_iso(s.lease_expires_at))"
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
