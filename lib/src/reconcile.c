/* reconcile: re-aggregates published snapshots and publishes what changed.
 *
 * The published snapshots are walked in booking_id order (on an index of their own,
 * migrate_007.sql) from a cursor shared by every run (snapctl_reconcile_cursor, see
 * migrate_003.sql), a batch per step, wrapping around at the end: whatever was checked longest
 * ago is next, and an unchanged snapshot costs no write in either database. Each batch is
 * upserted (the upsert writes only changed content, as a new version, ready to publish); those
 * still published whose listing is missing are made due (SPEC section 9: lost history); and
 * those of its snapshots that are then due (changed, missing, ended, or their booking cancelled)
 * go through sync-all's claim, bulk write and fenced settle. A batch in hand is recorded until
 * its work is done (migrate_006.sql), so that a run that dies leaves it to the next. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "listings.h"

/* Checking is one set-based upsert per batch. Its cost is mostly per location (the latest
 * readings, the pests), and a batch in booking order spans nearly every location, so large
 * batches are cheaper: 17,000 snapshots take 1.5 s in batches of 1,000, 0.3 s in one; at
 * 200,000 (bench/scale.sh) a run with nothing changed takes 8.1 s in batches of 20,000, 5.5 s
 * in batches of 100,000 (SNAP_RECONCILE_BATCH). What changed is published in sync-all's
 * batches. */

#define ZERO_UUID "00000000-0000-0000-0000-000000000000"

/* $1 batch, $2 lease seconds: the next published snapshots to check (column 2), whether
 * their booking has ended (column 3), and the id of their row in snapctl_reconcile_batches
 * (column 1; see migrate_006.sql). A batch whose run died with it (its lease ended) is taken
 * again first; otherwise the cursor moves past the next batch, or back to the start when there
 * is none (then no row comes back). Concurrent runs take successive batches. A batch taken
 * again may hold no published snapshot any more: then one row with a NULL booking_id. */
static const char SQL_TAKE[] =
    "WITH c AS (SELECT position FROM snapctl_reconcile_cursor WHERE id = 1 FOR UPDATE),"
    " old AS (UPDATE snapctl_reconcile_batches"
    "  SET lease_expires_at = now() + make_interval(secs => $2)"
    "  WHERE id = (SELECT id FROM snapctl_reconcile_batches WHERE lease_expires_at < now()"
    "   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    "  RETURNING id, after_id, last_id),"
    /* the position as a value (not a join with c): the planner then walks the walk index
     * from it and stops at $1, instead of reading every later snapshot to sort them */
    " b AS (SELECT s.booking_id, s.end_date < now() AS ended FROM market_inventory_snapshots s"
    "  WHERE NOT EXISTS (SELECT 1 FROM old) AND s.status = 'published'"
    "  AND s.booking_id > (SELECT position FROM c) ORDER BY s.booking_id LIMIT $1),"
    " last AS (SELECT booking_id FROM b ORDER BY booking_id DESC LIMIT 1),"
    " moved AS (UPDATE snapctl_reconcile_cursor SET position = coalesce("
    "   (SELECT booking_id FROM last), '" ZERO_UUID "'),"
    "  pass_started_at = CASE WHEN EXISTS (SELECT 1 FROM b) THEN pass_started_at"
    "   ELSE now() END WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM old)),"
    " new AS (INSERT INTO snapctl_reconcile_batches (after_id, last_id, lease_expires_at)"
    "  SELECT c.position, last.booking_id, now() + make_interval(secs => $2) FROM c, last"
    "  RETURNING id),"
    " ids AS (SELECT booking_id, ended FROM b UNION ALL"
    "  SELECT s.booking_id, s.end_date < now() FROM market_inventory_snapshots s, old"
    "  WHERE s.status = 'published' AND s.booking_id > old.after_id"
    "  AND s.booking_id <= old.last_id)"
    " SELECT r.id, ids.booking_id::text, ids.ended"
    " FROM (SELECT id FROM old UNION ALL SELECT id FROM new) r LEFT JOIN ids ON true"
    " ORDER BY ids.booking_id";

/* $1 batch, $2 after: the same, for --dry-run, which leaves the cursor alone. */
static const char SQL_PEEK[] =
    "SELECT NULL::bigint, booking_id::text, end_date < now() FROM market_inventory_snapshots"
    " WHERE status = 'published' AND booking_id > $2::uuid ORDER BY booking_id LIMIT $1";

/* $1 id: a batch checked, or (failed) to be taken again by the next run. */
static const char SQL_DONE[] = "DELETE FROM snapctl_reconcile_batches WHERE id = $1";
static const char SQL_GIVE_BACK[] =
    "UPDATE snapctl_reconcile_batches SET lease_expires_at = now() WHERE id = $1";

static const char SQL_POSITION[] =
    "SELECT position::text FROM snapctl_reconcile_cursor WHERE id = 1";

/* Which of a batch's ids have a listing: asked of MongoDB on a thread of its own while
 * PostgreSQL checks the batch, then those published without one are made due. */
struct asked {
	const struct mongo_ops *ops;
	void *h;
	const char **ids; /* as listings spell them */
	char *lower;
	size_t n;
	unsigned char *found;
	snap_code rc;
	snap_error err;
	struct beside_run run;
};

static void *ask(void *arg)
{
	struct asked *a = arg;

	a->rc = a->ops->present(a->h, a->ids, a->n, a->found, &a->err);
	return NULL;
}

static void asked_free(struct asked *a)
{
	free(a->lower);
	free(a->ids);
	free(a->found);
}

/* Starts asking which of ids[0..n) have a listing. */
static snap_code ask_start(snap_ctx *ctx, const char *const *ids, size_t n, struct asked *a,
                           snap_error *err)
{
	size_t i, j, m = n ? n : 1;
	snap_code rc;

	if ((rc = listings_open(ctx, &a->ops, &a->h, err)) != SNAP_OK)
		return rc;
	if (!(a->found = malloc(m)) || !(a->ids = malloc(m * sizeof(*a->ids))) ||
	    !(a->lower = malloc(m * 37))) {
		asked_free(a);
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	}
	/* Listings spell booking ids as PostgreSQL prints UUIDs; ids given may be in capitals. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < 36 && ids[i][j]; j++)
			a->lower[i * 37 + j] = (char)tolower((unsigned char)ids[i][j]);
		a->lower[i * 37 + j] = '\0';
		a->ids[i] = a->lower + i * 37;
	}
	a->n = n;
	beside_start(&a->run, ask, a);
	return SNAP_OK;
}

/* Waits for the answer; unless give_up, makes due those that are published but have no
 * listing (noted in maybe, when given). */
static snap_code ask_take(snap_ctx *ctx, struct asked *a, int give_up, unsigned char *maybe,
                          int dry_run, snap_reconcile_summary *sum, snap_error *err)
{
	size_t i, m = 0;
	long made;
	snap_code rc;

	beside_join(&a->run);
	if ((rc = a->rc) != SNAP_OK && err)
		*err = a->err;
	if (rc != SNAP_OK || give_up)
		goto out;
	for (i = 0; i < a->n; i++)
		if (!a->found[i]) {
			a->ids[m++] = a->ids[i];
			if (maybe)
				maybe[i] = 1;
		}
	if (m && (rc = sync_make_due(ctx, a->ids, m, dry_run, &made, err)) == SNAP_OK && made) {
		sum->missing += made;
		snap_log(ctx, SNAP_LOG_INFO, "%ld published snapshots had no listing; %s", made,
		         dry_run ? "they would be published again" : "publishing them again");
	}
out:
	asked_free(a);
	return rc;
}

/* A batch of the walk: its ids in booking order (as PostgreSQL prints them), and which of them
 * may be due. */
struct walked {
	const char *const *ids;
	size_t n;
	unsigned char *maybe;
};

static int by_text(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* An upsert's outcome: a snapshot it left other than published (changed, or taken meanwhile)
 * may be due. */
static int note_unpublished(const snap_upsert_result *r, void *data)
{
	struct walked *w = data;
	const char *const *at;

	if (strcmp(r->status, "published") != 0 &&
	    (at = bsearch(r->booking_id, w->ids, w->n, sizeof(*w->ids), by_text)) != NULL)
		w->maybe[at - w->ids] = 1;
	return 0;
}

/* Checks ids[0..n): upsert (which does not use MongoDB) and meanwhile ask which have a
 * listing; make those published without one due, then publish what is due among them.
 * Walking (maybe given, set for the bookings that have ended), only those that may be due are
 * asked: a published snapshot is due only once its booking has ended, so the others are those
 * the upsert left other than published and those missing their listing. */
static snap_code check(snap_ctx *ctx, const char *const *ids, size_t n, unsigned char *maybe,
                       int dry_run, snap_reconcile_summary *sum, snap_error *err)
{
	struct walked w = {ids, n, maybe};
	snap_upsert_opts uo = {
	    {dry_run ? SNAP_DRY_RUN : 0, 0, 0, 0, NULL}, maybe ? note_unpublished : NULL, &w};
	snap_upsert_summary us = {{0}, 0, 0, {0}};
	snap_sync_summary s = {0};
	struct asked a = {0};
	snap_error asked_err;
	const char **due = NULL;
	size_t i, m = n;
	snap_code rc, asked_rc;

	asked_rc = ask_start(ctx, ids, n, &a, &asked_err);
	rc = snap_upsert(ctx, ids, n, &uo, &us, err);
	sum->unchanged += us.actions[SNAP_ACTION_UNCHANGED];
	sum->changed += us.actions[SNAP_ACTION_CREATED] + us.actions[SNAP_ACTION_UPDATED];
	sum->checked += us.actions[SNAP_ACTION_UNCHANGED] + us.actions[SNAP_ACTION_CREATED] +
	                us.actions[SNAP_ACTION_UPDATED];
	if (asked_rc == SNAP_OK)
		asked_rc = ask_take(ctx, &a, rc != SNAP_OK, maybe, dry_run, sum, &asked_err);
	if (rc == SNAP_OK && (rc = asked_rc) != SNAP_OK && err)
		*err = asked_err;
	if (rc != SNAP_OK || dry_run)
		return rc;
	if (maybe) {
		if (!(due = malloc((n ? n : 1) * sizeof(*due))))
			return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
		for (i = 0, m = 0; i < n; i++)
			if (maybe[i])
				due[m++] = ids[i];
	}
	if (m)
		rc = sync_due_among(ctx, due ? due : ids, m, &s, err);
	free(due);
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
	char limit[24], lease[16];
	const char *take[2] = {limit, lease}, *peek[2] = {limit, after};
	snap_code rc;
	int n;

	snprintf(limit, sizeof(limit), "%ld", want);
	snprintf(lease, sizeof(lease), "%d", ctx->lease_seconds);
	if (!dry_run)
		return pg_exec(ctx, "taking snapshots to reconcile", SQL_TAKE, 2, take, res, err);
	rc = pg_exec(ctx, "reading snapshots to reconcile", SQL_PEEK, 2, peek, res, err);
	if (rc == SNAP_OK) {
		n = PQntuples(*res);
		snprintf(after, 37, "%s", n ? PQgetvalue(*res, n - 1, 1) : ZERO_UUID);
	}
	return rc;
}

/* Checks the batch in res and lets go of its row: done, or given back to the next run. ids and
 * maybe are room for its rows. */
static snap_code check_batch(snap_ctx *ctx, PGresult *res, const char **ids, unsigned char *maybe,
                             int dry_run, snap_reconcile_summary *sum, snap_error *err)
{
	int n = PQntuples(res), m = 0, i;
	const char *batch = n && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : NULL;
	snap_error ignored;
	PGresult *done = NULL;
	snap_code rc = SNAP_OK;

	for (i = 0; i < n; i++)
		if (!PQgetisnull(res, i, 1)) {
			maybe[m] = !strcmp(PQgetvalue(res, i, 2), "t");
			ids[m++] = PQgetvalue(res, i, 1);
		}
	if (m > 0 && (rc = check(ctx, ids, (size_t)m, maybe, dry_run, sum, err)) == SNAP_OK)
		progress(ctx, "checked", sum->checked);
	if (!batch)
		return rc;
	if (rc == SNAP_OK)
		rc = pg_exec(ctx, "finishing a reconcile batch", SQL_DONE, 1, &batch, &done, err);
	else /* best effort: if PostgreSQL is gone, the lease ends by itself */
		pg_exec(ctx, "giving back a reconcile batch", SQL_GIVE_BACK, 1, &batch, &done,
		        &ignored);
	PQclear(done);
	return rc;
}

/* The published snapshots from the cursor on, until a pass ends (or a limit). */
static snap_code walk(snap_ctx *ctx, const snap_reconcile_opts *o, double start,
                      snap_reconcile_summary *sum, snap_error *err)
{
	long batch_size = batch_of(&o->run, SNAP_RECONCILE_BATCH), want;
	char after[37] = ZERO_UUID;
	const char **ids = NULL, **grown;
	unsigned char *maybe = NULL, *more;
	size_t cap = (size_t)batch_size;
	PGresult *res = NULL;
	int wrapped = 0, n;
	snap_code rc = SNAP_OK;

	if ((o->run.flags & SNAP_DRY_RUN) &&
	    (rc = pg_exec(ctx, "reading the reconcile cursor", SQL_POSITION, 0, NULL, &res, err)) ==
	        SNAP_OK) {
		if (PQntuples(res))
			snprintf(after, sizeof(after), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	if (rc == SNAP_OK &&
	    (!(ids = calloc(cap, sizeof(*ids))) || !(maybe = calloc(cap, sizeof(*maybe)))))
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	while (rc == SNAP_OK) {
		rc = next_batch(ctx, o->run.limit, sum->checked, batch_size, start,
		                o->run.max_seconds, &want, err);
		if (rc != SNAP_OK || want == 0 ||
		    (rc = next(ctx, (o->run.flags & SNAP_DRY_RUN), want, after, &res, err)) !=
		        SNAP_OK)
			break;
		n = PQntuples(res);
		/* The end of a pass; a run that began right at the end takes one more. */
		if (n == 0 && (sum->checked > 0 || wrapped++))
			break;
		/* A batch taken again holds what is published in its range now: maybe more. */
		if ((size_t)n > cap) {
			grown = realloc(ids, (size_t)n * sizeof(*ids));
			ids = grown ? grown : ids;
			more = realloc(maybe, (size_t)n);
			maybe = more ? more : maybe;
			if (!grown || !more) {
				rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
				break;
			}
			cap = (size_t)n;
		}
		rc = check_batch(ctx, res, ids, maybe, (o->run.flags & SNAP_DRY_RUN), sum, err);
		PQclear(res);
		res = NULL;
	}
	PQclear(res);
	free(ids);
	free(maybe);
	return rc;
}

static void tally(snap_reconcile_summary *s)
{
	tally_counts(&s->tally, "checked", s->checked, "unchanged", s->unchanged, "changed",
	             s->changed, "missing", s->missing, "published", s->published, "withdrawn",
	             s->withdrawn, "completed", s->completed, "retried", s->retried, "failed",
	             s->failed);
	s->tally.partial = s->retried + s->failed > 0;
}

snap_code snap_reconcile(snap_ctx *ctx, const snap_reconcile_opts *o, snap_reconcile_summary *sum,
                         snap_error *err)
{
	double start = now_seconds();
	long batch = batch_of(&o->run, SNAP_RECONCILE_BATCH), want;
	size_t i;
	snap_code rc = SNAP_OK;

	memset(sum, 0, sizeof(*sum));
	if (!o->ids) {
		rc = walk(ctx, o, start, sum, err);
	} else {
		if (!o->nids)
			return snap_fail(err, SNAP_ERR_USAGE, "no booking ids given");
		for (i = 0; rc == SNAP_OK && i < o->nids; i += (size_t)want) {
			rc = next_batch(ctx, (long)o->nids, (long)i, batch, start,
			                o->run.max_seconds, &want, err);
			if (rc != SNAP_OK || want == 0)
				break;
			rc = check(ctx, o->ids + i, (size_t)want, NULL,
			           (o->run.flags & SNAP_DRY_RUN), sum, err);
		}
	}
	tally(sum);
	tally_end(ctx, &o->run, &sum->tally, start, rc);
	return rc;
}
