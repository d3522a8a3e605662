/* verify: do PostgreSQL and MongoDB agree? (FAULTS 36; SPEC section 9)
 *
 * Every snapshot (keyset pages in booking_id order) and every listing (one cursor sorted by
 * booking_id) are read once and merged, so memory follows the page, not the table. Each
 * booking is ok, skipped (in flight: due, claimed, leased, failed or ending), or a suspect:
 * missing (published, no listing), extra (a listing without a snapshot, or of a withdrawn or
 * completed one), version (the listing at another version) or drift (same version, other
 * content, compared field by field as a publication writes them). Suspects are read again
 * from both sides before they count: what a concurrent sync-all or reconcile changed
 * meanwhile is not a difference. --repair then puts them right through the usual paths:
 * missing, version and drift are made due and published under sync-all's claim, lease and
 * fence (a drifted listing is removed first, under the version guard: a $set would keep a
 * field added by hand); the listing of a finished snapshot is removed by a recheck claim; a
 * listing without a snapshot as cleanup --orphans removes it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "listings.h"

enum { SUSPECTS = 500, OK = -1, SKIPPED = -2 };

/* $1 ids: the listings of these finished snapshots go, through a recheck claim. */
static const char SQL_RECHECK[] =
    "UPDATE market_inventory_snapshots SET recheck = true"
    " WHERE booking_id = ANY ($1::uuid[]) AND status IN ('withdrawn', 'completed')";

struct row {
	const char *id, *status, *json;
	int64_t version;
	int in_flight;
};

struct verify {
	snap_ctx *ctx;
	const struct mongo_ops *ops;
	void *h;
	const snap_verify_opts *o;
	snap_verify_fn fn;
	void *data;
	snap_verify_summary *sum;
	snap_error *err;
	double start;
	long batch;
	PGresult *page; /* the current page of snapshots, at row `at` */
	int at, pg_done, stop;
	char after[37];
	char *suspects[SUSPECTS];
	size_t nsus;
};

const char *snap_verify_class_name(snap_verify_class c)
{
	static const char *const names[] = {"missing", "extra", "version", "drift"};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

static void row_at(PGresult *res, int i, struct row *r)
{
	r->id = PQgetvalue(res, i, 0);
	r->status = PQgetvalue(res, i, 1);
	r->version = strtoll(PQgetvalue(res, i, 2), NULL, 10);
	r->in_flight = PQgetvalue(res, i, 3)[0] == 't';
	r->json = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4);
}

/* A booking's class from its snapshot row (NULL: none) and its listing (listed: one). */
static int classify(const struct verify *v, const struct row *r, int listed, int64_t version,
                    const void *doc)
{
	if (r && r->in_flight)
		return SKIPPED;
	if (!r || strcmp(r->status, "published") != 0)
		return listed ? SNAP_VERIFY_EXTRA : OK;
	if (!listed)
		return SNAP_VERIFY_MISSING;
	if (version != r->version)
		return SNAP_VERIFY_VERSION;
	return v->ops->same(doc, r->json) == 1 ? OK : SNAP_VERIFY_DRIFT;
}

/* --- confirming and repairing the suspects, SUSPECTS at a time --- */

static void forget(struct verify *v)
{
	while (v->nsus)
		free(v->suspects[--v->nsus]);
}

struct confirm {
	struct verify *v;
	PGresult *rows;
	char *listed;      /* per suspect: its listing was seen */
	int *class_of;     /* per suspect: its class, read again */
	int64_t *versions; /* per suspect: its listing's version */
};

static int suspect_index(const struct verify *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nsus; i++)
		if (!strcmp(v->suspects[i], id))
			return (int)i;
	return -1;
}

static int row_of(PGresult *rows, const char *id, struct row *r)
{
	int i;

	for (i = 0; i < PQntuples(rows); i++)
		if (!strcasecmp(PQgetvalue(rows, i, 0), id)) {
			row_at(rows, i, r);
			return 1;
		}
	return 0;
}

static snap_code confirm_listing(const char *id, int64_t version, const void *doc, void *data)
{
	struct confirm *c = data;
	struct row r;
	int i = suspect_index(c->v, id);

	if (i < 0 || c->listed[i])
		return SNAP_OK;
	c->listed[i] = 1;
	c->versions[i] = version;
	c->class_of[i] = classify(c->v, row_of(c->rows, id, &r) ? &r : NULL, 1, version, doc);
	return SNAP_OK;
}

static void report(struct verify *v, const char *id, int cls, const struct row *r, int64_t version)
{
	char detail[96];

	switch (cls) {
	case SNAP_VERIFY_MISSING:
		v->sum->missing++;
		snprintf(detail, sizeof(detail), "no listing for the published snapshot");
		break;
	case SNAP_VERIFY_EXTRA:
		v->sum->extra++;
		if (r)
			snprintf(detail, sizeof(detail), "a listing of a %s snapshot", r->status);
		else
			snprintf(detail, sizeof(detail), "a listing without a snapshot");
		break;
	case SNAP_VERIFY_VERSION:
		v->sum->version++;
		snprintf(detail, sizeof(detail), "listing at version %lld, snapshot at %lld",
		         (long long)version, (long long)(r ? r->version : 0));
		break;
	default:
		v->sum->drift++;
		snprintf(detail, sizeof(detail),
		         "the listing's content differs from the snapshot's");
	}
	if (v->fn)
		v->fn(id, (snap_verify_class)cls, detail, v->data);
}

/* What settle() found, to repair: snapshots to publish again, the drifted among them (their
 * listing goes first: a field added by hand survives a $set), finished snapshots to recheck,
 * listings without a snapshot. */
struct fixes {
	const char **due, **recheck, **orphans;
	struct listing_item *drifted;
	size_t ndue, nrecheck, norphans, ndrifted;
};

static snap_code repair(struct verify *v, struct fixes *f)
{
	snap_sync_summary s = {0}, s2 = {0};
	struct listing_result *gone = NULL;
	strbuf arr = {0};
	const char *params[1];
	PGresult *res = NULL;
	long made = 0, removed = 0;
	snap_code rc = SNAP_OK;

	/* Under the version guard: a listing a concurrent run moved on stays. */
	if (f->ndrifted && !(gone = calloc(f->ndrifted, sizeof(*gone))))
		rc = snap_fail(v->err, SNAP_ERR_INTERNAL, "out of memory");
	if (rc == SNAP_OK && f->ndrifted)
		rc = v->ops->write(v->h, f->drifted, f->ndrifted, gone, v->err);
	if (rc == SNAP_OK)
		rc = sync_make_due(v->ctx, f->due, f->ndue, 0, &made, v->err);
	if (rc == SNAP_OK && f->nrecheck) {
		sb_add_text_array(&arr, f->recheck, f->nrecheck);
		params[0] = arr.buf;
		rc = arr.failed ? snap_fail(v->err, SNAP_ERR_INTERNAL, "out of memory")
		                : pg_exec(v->ctx, "rechecking listings", SQL_RECHECK, 1, params,
		                          &res, v->err);
		PQclear(res);
		sb_free(&arr);
	}
	if (rc == SNAP_OK && f->ndue)
		rc = sync_due_among(v->ctx, f->due, f->ndue, &s, v->err);
	if (rc == SNAP_OK && f->nrecheck)
		rc = sync_due_among(v->ctx, f->recheck, f->nrecheck, &s2, v->err);
	if (rc == SNAP_OK && f->norphans)
		rc = remove_orphans(v->ctx, f->orphans, f->norphans, 0, &removed, v->err);
	v->sum->repaired += s.published + s.withdrawn + s.completed + s2.published + s2.withdrawn +
	                    s2.completed + removed;
	v->sum->retried += s.retried + s2.retried;
	v->sum->failed += s.failed + s2.failed;
	free(gone);
	return rc;
}

/* Counts each suspect as the second reading finds it, and notes what to repair. */
static void count_suspects(struct verify *v, const struct confirm *c, struct fixes *f)
{
	struct row r;
	size_t i;

	for (i = 0; i < v->nsus; i++) {
		const char *id = v->suspects[i];
		int has_row = row_of(c->rows, id, &r);
		int cls =
		    c->listed[i] ? c->class_of[i] : classify(v, has_row ? &r : NULL, 0, 0, NULL);

		if (cls == OK || cls == SKIPPED) {
			/* changed hands between the two reads: in flight, not a difference */
			if (cls == OK)
				v->sum->ok++;
			else
				v->sum->skipped++;
			continue;
		}
		report(v, id, cls, has_row ? &r : NULL, c->versions[i]);
		if (cls == SNAP_VERIFY_DRIFT) {
			f->drifted[f->ndrifted].booking_id = id;
			f->drifted[f->ndrifted].listing_id = "";
			f->drifted[f->ndrifted].version = r.version;
			f->drifted[f->ndrifted++].remove = 1;
		}
		if (cls != SNAP_VERIFY_EXTRA)
			f->due[f->ndue++] = id;
		else if (has_row)
			f->recheck[f->nrecheck++] = id;
		else
			f->orphans[f->norphans++] = id;
	}
}

/* Reads the suspects again on both sides, counts what still differs, and repairs it. */
static snap_code settle(struct verify *v)
{
	struct confirm c = {v, NULL, NULL, NULL, NULL};
	struct fixes f = {0};
	const char **uuids = NULL;
	size_t i, nu = 0, n = v->nsus;
	strbuf arr = {0};
	const char *params[3] = {NULL, NULL, NULL};
	snap_code rc = SNAP_OK;

	if (!n)
		return SNAP_OK;
	c.listed = calloc(n, 1);
	c.class_of = calloc(n, sizeof(*c.class_of));
	c.versions = calloc(n, sizeof(*c.versions));
	uuids = calloc(n, sizeof(*uuids));
	f.due = calloc(n, sizeof(*f.due));
	f.recheck = calloc(n, sizeof(*f.recheck));
	f.orphans = calloc(n, sizeof(*f.orphans));
	f.drifted = calloc(n, sizeof(*f.drifted));
	if (!c.listed || !c.class_of || !c.versions || !uuids || !f.due || !f.recheck ||
	    !f.orphans || !f.drifted) {
		rc = snap_fail(v->err, SNAP_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (snap_uuid_valid(v->suspects[i]))
			uuids[nu++] = v->suspects[i];
	sb_add_text_array(&arr, uuids, nu);
	params[2] = arr.buf;
	if (arr.failed)
		rc = snap_fail(v->err, SNAP_ERR_INTERNAL, "out of memory");
	else
		rc = pg_exec(v->ctx, "reading snapshots again", snap_sql_verify_rows, 3, params,
		             &c.rows, v->err);
	if (rc == SNAP_OK)
		rc = v->ops->scan(v->h, (const char *const *)v->suspects, n, confirm_listing, &c,
		                  v->err);
	if (rc == SNAP_OK)
		count_suspects(v, &c, &f);
	if (rc == SNAP_OK && (v->o->run.flags & SNAP_VERIFY_REPAIR) &&
	    !(v->o->run.flags & SNAP_DRY_RUN))
		rc = repair(v, &f);
out:
	PQclear(c.rows);
	sb_free(&arr);
	free(c.listed);
	free(c.class_of);
	free(c.versions);
	free(uuids);
	free(f.due);
	free(f.recheck);
	free(f.orphans);
	free(f.drifted);
	forget(v);
	return rc;
}

/* --- the merge --- */

static snap_code note(struct verify *v, const char *id, int cls)
{
	v->sum->checked++;
	if (v->o->run.limit > 0 && v->sum->checked >= v->o->run.limit)
		v->stop = 1;
	if (cls == OK) {
		v->sum->ok++;
		return SNAP_OK;
	}
	if (cls == SKIPPED) {
		v->sum->skipped++;
		return SNAP_OK;
	}
	if (!(v->suspects[v->nsus] = strdup(id)))
		return snap_fail(v->err, SNAP_ERR_INTERNAL, "out of memory");
	return ++v->nsus == SUSPECTS ? settle(v) : SNAP_OK;
}

/* The current snapshot row into *r (*have 0 once there are no more), reading the next page
 * when this one is done; a page boundary is where signals, --limit and --max-duration stop a
 * run. */
static snap_code current(struct verify *v, struct row *r, int *have)
{
	char limit[24];
	const char *params[3] = {v->after, limit, NULL};
	long want;
	snap_code rc;
	int n;

	*have = 0;
	if (v->page && v->at < PQntuples(v->page)) {
		row_at(v->page, v->at, r);
		*have = 1;
		return SNAP_OK;
	}
	if (v->pg_done || v->stop)
		return SNAP_OK;
	if (v->page && (n = PQntuples(v->page)) > 0)
		snprintf(v->after, sizeof(v->after), "%s", PQgetvalue(v->page, n - 1, 0));
	PQclear(v->page);
	v->page = NULL;
	v->at = 0;
	if ((rc = next_batch(v->ctx, v->o->run.limit, v->sum->checked, v->batch, v->start,
	                     v->o->run.max_seconds, &want, v->err)) != SNAP_OK)
		return rc;
	if (want == 0) {
		v->stop = 1;
		return SNAP_OK;
	}
	progress(v->ctx, "checked", v->sum->checked);
	snprintf(limit, sizeof(limit), "%ld", want);
	if ((rc = pg_exec(v->ctx, "reading snapshots", snap_sql_verify_rows, 3, params, &v->page,
	                  v->err)) != SNAP_OK)
		return rc;
	if (PQntuples(v->page) == 0) {
		v->pg_done = 1;
		return SNAP_OK;
	}
	row_at(v->page, 0, r);
	*have = 1;
	return SNAP_OK;
}

/* Snapshots before id (all of them when id is NULL) have no listing. */
static snap_code unlisted_before(struct verify *v, const char *id, struct row *r, int *have)
{
	snap_code rc;

	while ((rc = current(v, r, have)) == SNAP_OK && *have && !v->stop &&
	       (!id || strcmp(r->id, id) < 0)) {
		v->at++;
		if ((rc = note(v, r->id, classify(v, r, 0, 0, NULL))) != SNAP_OK)
			return rc;
	}
	return rc;
}

/* The scan's callback: stops it (SNAP_ERR_TEMPORARY with v->stop) once the run should end. */
static snap_code on_listing(const char *id, int64_t version, const void *doc, void *data)
{
	struct verify *v = data;
	struct row r;
	int have;
	snap_code rc;

	if ((rc = unlisted_before(v, id, &r, &have)) != SNAP_OK)
		return rc;
	if (v->stop)
		return SNAP_ERR_TEMPORARY;
	if (have && !strcmp(r.id, id)) {
		v->at++;
		rc = note(v, id, classify(v, &r, 1, version, doc));
	} else {
		rc = note(v, id, classify(v, NULL, 1, version, doc));
	}
	return rc == SNAP_OK && v->stop ? SNAP_ERR_TEMPORARY : rc;
}

/* Partial: something differs; with a repair, something could not be put right now. */
static void tally(snap_verify_summary *s, unsigned flags)
{
	long differ = s->missing + s->extra + s->version + s->drift;

	tally_counts(&s->tally, "checked", s->checked, "ok", s->ok, "skipped", s->skipped,
	             "missing", s->missing, "extra", s->extra, "version", s->version, "drift",
	             s->drift, "repaired", s->repaired, "retried", s->retried, "failed", s->failed);
	s->tally.partial = (flags & SNAP_VERIFY_REPAIR) && !(flags & SNAP_DRY_RUN)
	                       ? s->retried + s->failed > 0 || s->repaired < differ
	                       : differ > 0;
}

snap_code snap_verify(snap_ctx *ctx, const snap_verify_opts *o, snap_verify_fn fn, void *data,
                      snap_verify_summary *sum, snap_error *err)
{
	struct verify v = {0};
	struct row r;
	snap_code rc;
	int have;

	memset(sum, 0, sizeof(*sum));
	v.ctx = ctx;
	v.o = o;
	v.fn = fn;
	v.data = data;
	v.sum = sum;
	v.err = err;
	v.start = now_seconds();
	v.batch = batch_of(&o->run, SNAP_VERIFY_BATCH);
	snprintf(v.after, sizeof(v.after), "00000000-0000-0000-0000-000000000000");
	if ((rc = listings_open(ctx, &v.ops, &v.h, err)) == SNAP_OK)
		rc = v.ops->scan(v.h, NULL, 0, on_listing, &v, err);
	if (rc == SNAP_ERR_TEMPORARY && v.stop)
		rc = SNAP_OK;
	/* What is left of the snapshots has no listing. */
	if (rc == SNAP_OK && !v.stop)
		rc = unlisted_before(&v, NULL, &r, &have);
	if (rc == SNAP_OK)
		rc = settle(&v);
	forget(&v);
	PQclear(v.page);
	tally(sum, o->run.flags);
	tally_end(ctx, &o->run, &sum->tally, v.start, rc);
	return rc;
}
