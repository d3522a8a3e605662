/* list: snapshots by status, crop type and farmer, a page at a time (keyset on booking_id). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* $1 status, $2 crop type, $3 farmer, $4 after, $5 limit; NULL: any */
static const char SQL_LIST[] =
    "SELECT booking_id::text, status, snapshot_version, coalesce(crop_type, ''),"
    " coalesce(farmer_id::text, ''), snapctl_iso(updated_at), coalesce(last_error, '')"
    " FROM market_inventory_snapshots"
    " WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR pg_catalog.lower(crop_type) "
    "="
    " pg_catalog.lower($2)) AND ($3::uuid IS NULL OR farmer_id = $3::uuid)"
    " AND ($4::uuid IS NULL OR booking_id > $4::uuid)"
    " ORDER BY booking_id LIMIT $5";

static const char *const statuses[] = {"ready_to_publish", "publishing", "published",
                                       "withdrawn",        "completed",  "failed"};

snap_code snap_list(snap_ctx *ctx, const snap_list_opts *o, snap_list_fn fn, void *data,
                    snap_error *err)
{
	char limit[24];
	const char *params[5] = {o->status, o->crop_type, o->farmer_id, o->after, limit};
	PGresult *res = NULL;
	snap_list_row row;
	size_t i;
	snap_code rc;
	int r;

	for (i = 0; o->status && i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(o->status, statuses[i]))
			break;
	if (o->status && i == sizeof(statuses) / sizeof(statuses[0]))
		return snap_fail(err, SNAP_ERR_USAGE,
		                 "unknown status '%.40s' (ready_to_publish, publishing, published, "
		                 "withdrawn, completed, failed)",
		                 o->status);
	if (o->farmer_id && !snap_uuid_valid(o->farmer_id))
		return snap_fail(err, SNAP_ERR_INPUT, "farmer id '%.60s' is not a UUID",
		                 o->farmer_id);
	if (o->after && !snap_uuid_valid(o->after))
		return snap_fail(err, SNAP_ERR_INPUT, "booking id '%.60s' is not a UUID", o->after);
	snprintf(limit, sizeof(limit), "%ld", o->limit > 0 ? o->limit : (long)SNAP_LIST_LIMIT);
	if ((rc = pg_exec(ctx, "listing snapshots", SQL_LIST, 5, params, &res, err)) != SNAP_OK)
		return rc;
	for (r = 0; r < PQntuples(res); r++) {
		row.booking_id = PQgetvalue(res, r, 0);
		row.status = PQgetvalue(res, r, 1);
		row.snapshot_version = strtoll(PQgetvalue(res, r, 2), NULL, 10);
		row.crop_type = PQgetvalue(res, r, 3);
		row.farmer_id = PQgetvalue(res, r, 4);
		row.updated_at = PQgetvalue(res, r, 5);
		row.last_error = PQgetvalue(res, r, 6);
		if (fn(&row, data))
			break;
	}
	PQclear(res);
	return SNAP_OK;
}
