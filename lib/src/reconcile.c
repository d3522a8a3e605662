/* reconcile: re-aggregates published snapshots and publishes what changed.
 *
 * The published snapshots are walked in booking_id order from a cursor shared by every run
 * (snapctl_reconcile_cursor, see migrate_003.sql), a batch per step, wrapping around at the
 * end: whatever was checked longest ago is next, and an unchanged snapshot costs no write in
 * either database. Each batch is upserted (the upsert writes only changed content, as a new
 * version, ready to publish) and those of its snapshots that are then due (changed, or ended,
 * or their booking cancelled) go through sync-all's claim, bulk write and fenced settle. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Checking is one set-based upsert per batch. Its cost is mostly per location (the latest
 * readings, the pests), and a batch in booking order spans nearly every location, so large
 * batches are cheaper: 17,000 snapshots take 1.5 s in batches of 1,000, 0.3 s in one. What
 * changed is published in sync-all's batches. */
enum { DEFAULT_BATCH = 20000 };

#define ZERO_UUID "00000000-0000-0000-0000-000000000000"

/* $1 batch: the next published snapshots after the cursor, which moves past them (or back to
 * the start when there are none). Concurrent runs take successive batches. */
static const char SQL_TAKE[] =
    "WITH c AS (SELECT position FROM snapctl_reconcile_cursor WHERE id = 1 FOR UPDATE),"
    " b AS (SELECT s.booking_id FROM market_inventory_snapshots s, c"
    "  WHERE s.status = 'published' AND s.booking_id > c.position"
    "  ORDER BY s.booking_id LIMIT $1),"
    " moved AS (UPDATE snapctl_reconcile_cursor SET position = coalesce("
    "   (SELECT booking_id FROM b ORDER BY booking_id DESC LIMIT 1), '" ZERO_UUID "'),"
    "  pass_started_at = CASE WHEN EXISTS (SELECT 1 FROM b) THEN pass_started_at"
    "   ELSE now() END WHERE id = 1)"
    " SELECT booking_id::text FROM b ORDER BY booking_id";

/* $1 batch, $2 after: the same, for --dry-run, which leaves the cursor alone. */
static const char SQL_PEEK[] =
    "SELECT booking_id::text FROM market_inventory_snapshots"
    " WHERE status = 'published' AND booking_id > $2::uuid ORDER BY booking_id LIMIT $1";

static const char SQL_POSITION[] =
    "SELECT position::text FROM snapctl_reconcile_cursor WHERE id = 1";

static int count(const snap_upsert_result *r, void *data)
{
	snap_reconcile_summary *sum = data;

	sum->checked++;
	if (r->action == SNAP_ACTION_UNCHANGED)
		sum->unchanged++;
	else
		sum->changed++;
	return 0;
}

/* Checks ids[0..n): upsert, then publish what is due among them. */
static snap_code check(snap_ctx *ctx, const char *const *ids, size_t n, int dry_run,
                       snap_reconcile_summary *sum, snap_error *err)
{
	snap_sync_summary s;
	snap_code rc;

	rc = snap_upsert(ctx, ids, n, dry_run ? SNAP_UPSERT_DRY_RUN : 0, count, sum, err);
	if (rc != SNAP_OK || dry_run)
		return rc;
	rc = sync_due_among(ctx, ids, n, &s, err);
	sum->published += s.published;
	sum->withdrawn += s.withdrawn;
	sum->completed += s.completed;
	sum->retried += s.retried;
	sum->failed += s.failed;
	return rc;
}

/* The next batch from the cursor (or, dry, after *after) into res. */
static snap_code next(snap_ctx *ctx, int dry_run, long want, char *after, PGresult **res,
                      snap_error *err)
{
	char limit[24];
	const char *params[2] = {limit, after};
	snap_code rc;
	int n;

	snprintf(limit, sizeof(limit), "%ld", want);
	if (!dry_run)
		return pg_exec(ctx, "taking snapshots to reconcile", SQL_TAKE, 1, params, res, err);
	rc = pg_exec(ctx, "reading snapshots to reconcile", SQL_PEEK, 2, params, res, err);
	if (rc == SNAP_OK) {
		n = PQntuples(*res);
		snprintf(after, 37, "%s", n ? PQgetvalue(*res, n - 1, 0) : ZERO_UUID);
	}
	return rc;
}

/* The published snapshots from the cursor on, until a pass ends (or a limit). */
static snap_code walk(snap_ctx *ctx, const snap_reconcile_opts *o, double start,
                      snap_reconcile_summary *sum, snap_error *err)
{
	long batch_size = o->batch_size > 0 ? o->batch_size : DEFAULT_BATCH, want;
	char after[37] = ZERO_UUID;
	const char **ids = NULL;
	PGresult *res = NULL;
	int wrapped = 0, n, i;
	snap_code rc = SNAP_OK;

	if (o->dry_run && (rc = pg_exec(ctx, "reading the reconcile cursor", SQL_POSITION, 0, NULL,
	                                &res, err)) == SNAP_OK) {
		if (PQntuples(res))
			snprintf(after, sizeof(after), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	if (rc == SNAP_OK && !(ids = calloc((size_t)batch_size, sizeof(*ids))))
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	while (rc == SNAP_OK) {
		rc = next_batch(ctx, o->limit, sum->checked, batch_size, start, o->max_seconds,
		                &want, err);
		if (rc != SNAP_OK || want == 0 ||
		    (rc = next(ctx, o->dry_run, want, after, &res, err)) != SNAP_OK)
			break;
		n = PQntuples(res);
		for (i = 0; i < n; i++)
			ids[i] = PQgetvalue(res, i, 0);
		/* The end of a pass; a run that began right at the end takes one more. */
		if (n == 0 && (sum->checked > 0 || wrapped++))
			break;
		if (n > 0 && (rc = check(ctx, ids, (size_t)n, o->dry_run, sum, err)) == SNAP_OK)
			progress(ctx, "checked", sum->checked);
		PQclear(res);
		res = NULL;
	}
	PQclear(res);
	free(ids);
	return rc;
}

snap_code snap_reconcile(snap_ctx *ctx, const snap_reconcile_opts *o, snap_reconcile_summary *sum,
                         snap_error *err)
{
	double start = now_seconds();
	size_t batch = o->batch_size > 0 ? (size_t)o->batch_size : DEFAULT_BATCH, i, n;
	snap_code rc = SNAP_OK;

	memset(sum, 0, sizeof(*sum));
	if (!o->ids) {
		rc = walk(ctx, o, start, sum, err);
	} else {
		if (!o->nids)
			return snap_fail(err, SNAP_ERR_USAGE, "no booking ids given");
		for (i = 0; rc == SNAP_OK && i < o->nids; i += n) {
			n = o->nids - i < batch ? o->nids - i : batch;
			rc = check(ctx, o->ids + i, n, o->dry_run, sum, err);
		}
	}
	sum->duration_ms = (long)((now_seconds() - start) * 1000);
	return rc;
}
