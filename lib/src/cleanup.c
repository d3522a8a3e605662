/* cleanup: deletes old withdrawn and completed snapshots, each only once its listing is
 * confirmed gone, and (--orphans) removes listings whose snapshot no longer exists.
 *
 * A batch is one transaction: its snapshots are locked (FOR UPDATE SKIP LOCKED: no run waits
 * for another), their listings removed with sync-all's guarded bulk write, and only the rows
 * whose listing is confirmed absent are deleted before the commit. A crash at any point
 * deletes nothing unconfirmed; MongoDB unreachable rolls the batch back. A snapshot whose
 * listing could not be confirmed gone gets recheck, so sync-all removes it again and this run
 * does not take it twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "listings.h"

/* $1 age in seconds, $2 batch: the oldest finished snapshots, no listing write to check. */
static const char SQL_TAKE[] =
    "SELECT booking_id::text, snapshot_version FROM market_inventory_snapshots"
    " WHERE status IN ('withdrawn', 'completed') AND NOT recheck"
    " AND status_changed_at < now() - make_interval(secs => $1)"
    " ORDER BY status_changed_at LIMIT $2 FOR UPDATE SKIP LOCKED";

/* $1 age in seconds: how many SQL_TAKE would take in all (a dry run). */
static const char SQL_COUNT[] = "SELECT count(*) FROM market_inventory_snapshots"
                                " WHERE status IN ('withdrawn', 'completed') AND NOT recheck"
                                " AND status_changed_at < now() - make_interval(secs => $1)";

/* $1 ids gone from MongoDB, $2 ids whose listing may still be there */
static const char SQL_SETTLE[] =
    "WITH d AS (DELETE FROM market_inventory_snapshots WHERE booking_id = ANY ($1::uuid[])),"
    " r AS (UPDATE market_inventory_snapshots SET recheck = true"
    "  WHERE booking_id = ANY ($2::uuid[]))"
    " SELECT 1";

/* $1 booking ids (text[]) of listings: those with no snapshot. */
static const char SQL_ORPHANS[] =
    "SELECT u.id FROM unnest($1::text[]) AS u(id) WHERE NOT EXISTS"
    " (SELECT 1 FROM market_inventory_snapshots s WHERE s.booking_id ="
    "  CASE WHEN u.id ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$'"
    "  THEN u.id::uuid END)";

/* Removes the listings of items[0..n) and says which are confirmed gone. */
static snap_code remove_listings(snap_ctx *ctx, struct listing_item *items, size_t n,
                                 struct listing_result *results, snap_error *err)
{
	const struct mongo_ops *ops;
	void *h;
	snap_code rc;

	if ((rc = listings_open(ctx, &ops, &h, err)) != SNAP_OK)
		return rc;
	return ops->write(h, items, n, results, err);
}

/* Deletes the snapshots whose listing is confirmed gone and marks the others for recheck; ids
 * is scratch room for n. */
static snap_code settle(snap_ctx *ctx, const struct listing_item *items,
                        const struct listing_result *results, int n, const char **ids,
                        snap_cleanup_summary *sum, snap_error *err)
{
	strbuf gone = {0}, kept = {0};
	const char *params[2];
	PGresult *done = NULL;
	int i, g = 0, k = 0; /* those gone from the front of ids, those kept from the back */
	snap_code rc;

	for (i = 0; i < n; i++)
		if (results[i].outcome == LISTING_WRITTEN)
			ids[g++] = items[i].booking_id;
		else
			ids[n - ++k] = items[i].booking_id;
	sum->deleted += g;
	sum->kept += k;
	sb_add_text_array(&gone, ids, (size_t)g);
	sb_add_text_array(&kept, ids + n - k, (size_t)k);
	params[0] = gone.buf;
	params[1] = kept.buf;
	if (gone.failed || kept.failed)
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	else
		rc = pg_exec(ctx, "deleting snapshots", SQL_SETTLE, 2, params, &done, err);
	PQclear(done);
	sb_free(&gone);
	sb_free(&kept);
	return rc;
}

/* One batch; *n is how many snapshots it took (0: none left). */
static snap_code batch(snap_ctx *ctx, const char *age, long want, snap_cleanup_summary *sum, int *n,
                       snap_error *err)
{
	char limit[24];
	const char *params[2] = {age, limit};
	PGresult *res = NULL;
	struct listing_item *items = NULL;
	struct listing_result *results = NULL;
	const char **ids = NULL;
	int i;
	snap_code rc;

	*n = 0;
	snprintf(limit, sizeof(limit), "%ld", want);
	if ((rc = pg_cmd(ctx, "starting a cleanup batch", "BEGIN", err)) != SNAP_OK ||
	    (rc = pg_exec(ctx, "taking old snapshots", SQL_TAKE, 2, params, &res, err)) !=
	        SNAP_OK ||
	    (*n = PQntuples(res)) == 0)
		goto out;
	items = calloc((size_t)*n, sizeof(*items));
	results = calloc((size_t)*n, sizeof(*results));
	ids = calloc((size_t)*n, sizeof(*ids));
	if (!items || !results || !ids) {
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < *n; i++) {
		items[i].booking_id = PQgetvalue(res, i, 0);
		items[i].listing_id = "";
		items[i].version = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		items[i].remove = 1;
	}
	if ((rc = remove_listings(ctx, items, (size_t)*n, results, err)) == SNAP_OK &&
	    (rc = settle(ctx, items, results, *n, ids, sum, err)) == SNAP_OK)
		rc = pg_cmd(ctx, "committing a cleanup batch", "COMMIT", err);
out:
	if (rc != SNAP_OK || *n == 0)
		pg_rollback(ctx); /* a failed batch, or an empty one, ends here */
	if (rc != SNAP_OK)
		sum->deleted = sum->kept = 0;
	PQclear(res);
	free(items);
	free(results);
	free(ids);
	return rc;
}

snap_code remove_orphans(snap_ctx *ctx, const char *const *ids, size_t n, int dry_run,
                         long *removed, snap_error *err)
{
	const struct mongo_ops *ops;
	strbuf arr = {0};
	const char *params[1];
	PGresult *res = NULL;
	struct listing_item *items = NULL;
	struct listing_result *results = NULL;
	size_t i, m = 0, gone;
	snap_code rc;
	void *h;

	*removed = 0;
	if ((rc = listings_open(ctx, &ops, &h, err)) != SNAP_OK)
		return rc;
	sb_add_text_array(&arr, ids, n);
	params[0] = arr.buf;
	if (arr.failed)
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	else
		rc = pg_exec(ctx, "finding orphan listings", SQL_ORPHANS, 1, params, &res, err);
	if (rc == SNAP_OK)
		m = (size_t)PQntuples(res);
	if (rc == SNAP_OK && m && !dry_run) {
		items = calloc(m, sizeof(*items));
		results = calloc(m, sizeof(*results));
		if (!items || !results)
			rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
		for (i = 0; rc == SNAP_OK && i < m; i++) {
			items[i].booking_id = PQgetvalue(res, (int)i, 0);
			items[i].listing_id = "";
			items[i].version = INT64_MAX; /* whatever its version */
			items[i].remove = 1;
		}
		if (rc == SNAP_OK)
			rc = ops->write(h, items, m, results, err);
		for (i = 0, gone = 0; rc == SNAP_OK && i < m; i++)
			gone += results[i].outcome == LISTING_WRITTEN;
		m = gone;
	}
	if (rc == SNAP_OK)
		*removed = (long)m;
	free(items);
	free(results);
	PQclear(res);
	sb_free(&arr);
	return rc;
}

struct orphan_scan {
	snap_ctx *ctx;
	int dry_run;
	snap_cleanup_summary *sum;
	snap_error *err;
};

static snap_code orphan_chunk(const char *const *ids, size_t n, void *data)
{
	struct orphan_scan *o = data;
	long go_on, removed;
	snap_code rc;

	/* Between chunks, a signal ends the scan (the listings scanned so far are done). */
	if ((rc = next_batch(o->ctx, 0, 0, 1, 0, 0, &go_on, o->err)) != SNAP_OK)
		return rc;
	if ((rc = remove_orphans(o->ctx, ids, n, o->dry_run, &removed, o->err)) == SNAP_OK)
		o->sum->orphans += removed;
	return rc;
}

static snap_code orphans(snap_ctx *ctx, int dry_run, snap_cleanup_summary *sum, snap_error *err)
{
	struct orphan_scan o = {ctx, dry_run, sum, err};
	const struct mongo_ops *ops;
	snap_code rc;
	void *h;

	if ((rc = listings_open(ctx, &ops, &h, err)) != SNAP_OK)
		return rc;
	return ops->booking_ids(h, orphan_chunk, &o, err);
}

snap_code snap_cleanup(snap_ctx *ctx, const snap_cleanup_opts *o, snap_cleanup_summary *sum,
                       snap_error *err)
{
	double start = now_seconds();
	long batch_size = batch_of(&o->run, SNAP_CLEANUP_BATCH);
	char age[32];
	const char *params[1] = {age};
	PGresult *res = NULL;
	snap_cleanup_summary b;
	snap_code rc = SNAP_OK;
	int n = 1;

	memset(sum, 0, sizeof(*sum));
	if (o->older_than_seconds < 0)
		return snap_fail(err, SNAP_ERR_USAGE, "the age must not be negative");
	snprintf(age, sizeof(age), "%.0f", o->older_than_seconds);
	if (o->run.flags & SNAP_DRY_RUN) {
		rc = pg_exec(ctx, "counting old snapshots", SQL_COUNT, 1, params, &res, err);
		if (rc == SNAP_OK)
			sum->deleted = atol(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	while (!(o->run.flags & SNAP_DRY_RUN) && rc == SNAP_OK && n > 0) {
		long want;

		if ((rc = next_batch(ctx, 0, 0, batch_size, 0, 0, &want, err)) != SNAP_OK)
			break;
		memset(&b, 0, sizeof(b));
		rc = batch(ctx, age, want, &b, &n, err);
		sum->deleted += b.deleted;
		sum->kept += b.kept;
		progress(ctx, "deleted", sum->deleted);
	}
	if (rc == SNAP_OK && (o->run.flags & SNAP_CLEANUP_ORPHANS))
		rc = orphans(ctx, o->run.flags & SNAP_DRY_RUN, sum, err);
	tally_counts(&sum->tally, "deleted", sum->deleted, "kept", sum->kept, "orphans",
	             sum->orphans);
	tally_end(ctx, &o->run, &sum->tally, start, rc);
	return rc;
}
