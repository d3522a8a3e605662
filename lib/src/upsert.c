/* upsert: aggregate bookings into snapshots, a batch per transaction, set-based.
 *
 * A batch is one transaction running the aggregation statement (lib/sql/upsert.sql), which
 * writes a snapshot only at the version it read: its content then comes from a snapshot of
 * the sources that holds every earlier write of that row. A row that moved on meanwhile (a
 * concurrent upsert committed first) comes back 'raced'; those ids go round again after
 * locking their rows (FOR NO KEY UPDATE, in booking order), so the next statement's snapshot
 * is taken after whoever held them committed and the round settles them. The common case
 * takes no lock at all, so unchanged snapshots are not even touched; concurrent upserts of
 * one booking serialise, never fail on the unique index, and never replace newer content
 * with older. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* A join, not "= ANY": planning "= ANY" estimates every element of the array. */
static const char SQL_LOCK[] = "SELECT s.booking_id FROM market_inventory_snapshots s"
                               " JOIN unnest($1::uuid[]) AS u(id) ON u.id = s.booking_id"
                               " ORDER BY s.booking_id FOR NO KEY UPDATE OF s";

/* Bookings come by location: a batch then aggregates about batch / bookings-per-location
 * locations, each once in the whole run (in booking id order every batch held a booking of
 * nearly every location, and aggregated all of them again: N^2 / batch in all). Pages walk
 * (location_id, id), which init-db --source-indexes indexes; those without a location come
 * last, by id.
 * $1, $2 the last page's last (location, id), NULL for the first page; $3 the page size. */
static const char SQL_PAGE[] = "SELECT id, location_id FROM storage_bookings"
                               " WHERE location_id IS NOT NULL AND ($1::uuid IS NULL"
                               "  OR (location_id, id) > ($1::uuid, $2::uuid))"
                               " ORDER BY location_id, id LIMIT $3";
/* $1 the last page's last id, NULL for the first; $2 the page size. */
static const char SQL_PAGE_NOWHERE[] = "SELECT id FROM storage_bookings"
                                       " WHERE location_id IS NULL"
                                       " AND ($1::uuid IS NULL OR id > $1::uuid)"
                                       " ORDER BY id LIMIT $2";

enum { MAX_ROUNDS = 5, MAX_TEMPORARY_RETRIES = 3 };

/* A batch: the ids as a binary uuid[], and whether a missing booking is an error. */
struct batch {
	strbuf ids;
	int strict;
};

/* Column 0 of the rows of res (all of them, or with action non-NULL those whose column 1 is
 * action) as a binary uuid[]. */
static void result_array(const PGresult *res, const char *action, strbuf *out)
{
	int i, n = 0, rows = PQntuples(res);
	const char **ids = rows ? malloc((size_t)rows * sizeof(*ids)) : NULL;

	if (rows && !ids) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < rows; i++)
		if (!action || !strcmp(PQgetvalue(res, i, 1), action))
			ids[n++] = PQgetvalue(res, i, 0);
	sb_add_uuid_array(out, ids, (size_t)n);
	free(ids);
}

const char *snap_action_name(snap_action action)
{
	switch (action) {
	case SNAP_ACTION_CREATED:
		return "created";
	case SNAP_ACTION_UPDATED:
		return "updated";
	case SNAP_ACTION_UNCHANGED:
		return "unchanged";
	}
	return "unknown";
}

/* The statement's rows come in no particular order; column 4 is each id's place in the
 * statement's ids, from 1. */
static int place(const PGresult *res, int row)
{
	return atoi(PQgetvalue(res, row, 4)) - 1;
}

/* Each booking's outcome to the summary and the callback, a round's in the order of its ids
 * (in the order of the rows when there is no memory to sort them); non-zero when the
 * callback asked to stop. */
static int deliver(PGresult *const *rounds, int n, const snap_upsert_opts *o,
                   snap_upsert_summary *sum)
{
	static const struct {
		const char *name;
		snap_action action;
	} actions[] = {{"created", SNAP_ACTION_CREATED},
	               {"updated", SNAP_ACTION_UPDATED},
	               {"unchanged", SNAP_ACTION_UNCHANGED}};
	int r, k, a, stop = 0;

	for (r = 0; r < n; r++) {
		int rows = PQntuples(rounds[r]), *at = calloc(rows ? (size_t)rows : 1, sizeof(*at));

		for (k = 0; at && k < rows; k++) { /* at[place] = row + 1 */
			int p = place(rounds[r], k);

			/* out of range or twice: not this statement's rows, so as they came */
			if (p < 0 || p >= rows || at[p]) {
				free(at);
				at = NULL;
			} else
				at[p] = k + 1;
		}
		for (k = 0; k < rows; k++) {
			int i = at ? at[k] - 1 : k;

			for (a = 0; a < 3; a++) {
				snap_upsert_result res;

				if (strcmp(PQgetvalue(rounds[r], i, 1), actions[a].name) != 0)
					continue;
				res.booking_id = PQgetvalue(rounds[r], i, 0);
				res.action = actions[a].action;
				res.status = PQgetvalue(rounds[r], i, 2);
				res.snapshot_version =
				    strtoll(PQgetvalue(rounds[r], i, 3), NULL, 10);
				sum->actions[res.action]++;
				if (o->fn && !stop)
					stop = o->fn(&res, o->data);
			}
		}
		free(at);
	}
	return stop;
}

static int count_action(const PGresult *res, const char *action)
{
	int i, n = 0;

	for (i = 0; i < PQntuples(res); i++)
		n += !strcmp(PQgetvalue(res, i, 1), action);
	return n;
}

/* The first id given whose booking is not found, if any, as the error. */
static snap_code check_found(const PGresult *res, snap_error *err)
{
	int i, first = -1;

	for (i = 0; i < PQntuples(res); i++)
		if (!strcmp(PQgetvalue(res, i, 1), "not_found") &&
		    (first < 0 || place(res, i) < place(res, first)))
			first = i;
	return first < 0 ? SNAP_OK
	                 : snap_fail(err, SNAP_ERR_NOT_FOUND, "booking '%s' not found",
	                             PQgetvalue(res, first, 0));
}

/* Runs the rounds of one batch inside the open transaction: the statement, then for the ids
 * it reported 'raced', lock and statement again. Fills rounds[] with each round's result
 * (the caller clears them). */
static snap_code run_rounds(snap_ctx *ctx, const struct batch *b, PGresult **rounds, int *nrounds,
                            snap_error *err)
{
	char limit[16];
	strbuf ids = {0};
	PGresult *lock = NULL, *res = NULL;
	snap_code rc = SNAP_OK;
	int raced = 0;

	snprintf(limit, sizeof(limit), "%d", ctx->pest_event_limit);
	sb_addn(&ids, b->ids.buf, b->ids.len);
	for (*nrounds = 0; *nrounds < MAX_ROUNDS;) {
		const char *params[2] = {ids.buf, limit};
		const int lengths[2] = {(int)ids.len, 0}, formats[2] = {1, 0};

		if (ids.failed) {
			rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
			break;
		}
		if (*nrounds > 0 && (rc = pg_exec_ex(ctx, "locking snapshots", SQL_LOCK, 1, params,
		                                     lengths, formats, &lock, err)) != SNAP_OK)
			break;
		PQclear(lock);
		lock = NULL;
		if ((rc = pg_exec_ex(ctx, "aggregating snapshots", snap_sql_upsert, 2, params,
		                     lengths, formats, &res, err)) != SNAP_OK)
			break;
		rounds[(*nrounds)++] = res;
		if (b->strict && (rc = check_found(res, err)) != SNAP_OK)
			break;
		if ((raced = count_action(res, "raced")) == 0)
			break;
		snap_log(ctx, SNAP_LOG_DEBUG, "concurrent upsert of %d bookings; again", raced);
		sb_free(&ids);
		result_array(res, "raced", &ids);
	}
	if (rc == SNAP_OK && raced)
		rc = snap_fail(err, SNAP_ERR_TEMPORARY,
		               "%d snapshots keep changing concurrently; try again", raced);
	sb_free(&ids);
	return rc;
}

/* SNAP_UPSERT_PUBLISH: the committed batch's snapshots left ready, published through
 * reconcile's path; after a failure (MongoDB down) no more are tried in this run. */
static void publish_ready(snap_ctx *ctx, PGresult *const *rounds, int n, snap_upsert_summary *sum)
{
	const char **ids;
	snap_sync_summary s;
	size_t m = 0;
	int r, i;

	for (r = 0; r < n; r++)
		for (i = 0; i < PQntuples(rounds[r]); i++)
			m += !strcmp(PQgetvalue(rounds[r], i, 2), "ready_to_publish");
	sum->ready += (long)m;
	if (!m || sum->publish_error.code != SNAP_OK)
		return;
	if (!(ids = calloc(m, sizeof(*ids)))) {
		snap_fail(&sum->publish_error, SNAP_ERR_INTERNAL, "out of memory");
		return;
	}
	for (r = 0, m = 0; r < n; r++)
		for (i = 0; i < PQntuples(rounds[r]); i++)
			if (!strcmp(PQgetvalue(rounds[r], i, 2), "ready_to_publish"))
				ids[m++] = PQgetvalue(rounds[r], i, 0);
	sync_due_among(ctx, ids, m, &s, &sum->publish_error);
	sum->published += s.published + s.skipped_stale; /* stale: another run has it */
	free(ids);
}

/* One batch, one transaction. A deadlock or serialisation failure (with sync-all or reconcile
 * locking the same rows) rolls back and tries the batch again. Returns non-zero in *stop when
 * the callback asked to stop. */
static snap_code upsert_batch(snap_ctx *ctx, const struct batch *b, const snap_upsert_opts *o,
                              snap_upsert_summary *sum, int *stop, snap_error *err)
{
	PGresult *rounds[MAX_ROUNDS] = {0};
	int nrounds = 0, attempt, i;
	snap_code rc;

	for (attempt = 0;; attempt++) {
		/* JIT compiling the aggregation costs seconds and saves milliseconds: the
		 * planner's cost model sees a large statement, not a short one. The pages the
		 * aggregation reads by key are the ones it just read or will again: priced as
		 * random reads from disk (random_page_cost 4), probes lose to scans of whole
		 * source tables from batches of a few thousand bookings on, and take a third
		 * longer (bench/RESULTS.md). */
		/* Numbers in the JSON must not depend on the session (SPEC section 9): 1 is
		 * the shortest text that reads back as the same double. */
		if ((rc = pg_cmd(ctx, "starting a transaction",
		                 "BEGIN; SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1;"
		                 " SET LOCAL extra_float_digits = 1",
		                 err)) == SNAP_OK)
			rc = run_rounds(ctx, b, rounds, &nrounds, err);
		if (rc == SNAP_OK)
			rc = pg_cmd(ctx, "committing",
			            o->run.flags & SNAP_DRY_RUN ? "ROLLBACK" : "COMMIT", err);
		if (rc == SNAP_OK)
			break;
		pg_rollback(ctx);
		for (i = 0; i < nrounds; i++)
			PQclear(rounds[i]), rounds[i] = NULL;
		if (rc != SNAP_ERR_TEMPORARY || attempt + 1 >= MAX_TEMPORARY_RETRIES)
			return rc;
		snap_log(ctx, SNAP_LOG_INFO, "retrying a batch: %s", err ? err->message : "");
	}
	*stop = deliver(rounds, nrounds, o, sum);
	if ((o->run.flags & (SNAP_UPSERT_PUBLISH | SNAP_DRY_RUN)) == SNAP_UPSERT_PUBLISH)
		publish_ready(ctx, rounds, nrounds, sum);
	for (i = 0; i < nrounds; i++)
		PQclear(rounds[i]);
	return SNAP_OK;
}

/* Elements of an array of pointers to ids: by UUID (any case), then by place. */
static int by_uuid(const void *a, const void *b)
{
	const char *const *x = *(const char *const *const *)a;
	const char *const *y = *(const char *const *const *)b;
	int c = strcasecmp(*x, *y);

	return c ? c : (x > y) - (x < y);
}

/* ids (valid UUIDs) without repeats, in order of first appearance, into out; how many. */
static size_t distinct(const char *const *ids, size_t n, const char **out)
{
	const char *const **order = malloc(n * sizeof(*order));
	unsigned char *again = calloc(n, 1);
	size_t i, m = 0;

	if (!order || !again) {
		free(order);
		free(again);
		return 0;
	}
	for (i = 0; i < n; i++)
		order[i] = &ids[i];
	qsort(order, n, sizeof(*order), by_uuid); /* a repeat after its first appearance */
	for (i = 1; i < n; i++)
		if (!strcasecmp(*order[i], *order[i - 1]))
			again[order[i] - ids] = 1;
	for (i = 0; i < n; i++)
		if (!again[i])
			out[m++] = ids[i];
	free(order);
	free(again);
	return m;
}

snap_code snap_upsert(snap_ctx *ctx, const char *const *ids, size_t n, const snap_upsert_opts *o,
                      snap_upsert_summary *sum, snap_error *err)
{
	snap_upsert_summary mine = {{0}, 0, 0, {0}};
	struct batch b = {{0}, 1};
	const char **once;
	snap_code rc;
	size_t i, m;
	int stop;

	if (!n)
		return snap_fail(err, SNAP_ERR_USAGE, "no booking ids given");
	for (i = 0; i < n; i++)
		if (!snap_uuid_valid(ids[i]))
			return snap_fail(err, SNAP_ERR_INPUT, "booking id '%.60s' is not a UUID",
			                 ids[i]);
	if (!(once = malloc(n * sizeof(*once))) || !(m = distinct(ids, n, once))) {
		free(once);
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	}
	sb_add_uuid_array(&b.ids, once, m);
	free(once);
	rc = b.ids.failed ? snap_fail(err, SNAP_ERR_INTERNAL, "out of memory")
	                  : upsert_batch(ctx, &b, o, sum ? sum : &mine, &stop, err);
	sb_free(&b.ids);
	return rc;
}

snap_code snap_upsert_all(snap_ctx *ctx, const snap_upsert_opts *o, snap_upsert_summary *sum,
                          snap_error *err)
{
	snap_upsert_summary mine = {{0}, 0, 0, {0}};
	int batch_size = batch_of(&o->run, SNAP_UPSERT_BATCH);
	char limit[16], last[40] = "", last_loc[40] = "";
	struct batch b = {{0}, 0};
	PGresult *page = NULL;
	snap_code rc;
	int n, stop = 0, nowhere = 0;

	snprintf(limit, sizeof(limit), "%d", batch_size);
	for (;;) {
		const char *at[3] = {last[0] ? last_loc : NULL, last[0] ? last : NULL, limit};
		const char *after[2] = {last[0] ? last : NULL, limit};

		if (ctx->interrupted) {
			rc = snap_fail(err, SNAP_ERR_TEMPORARY, "interrupted");
			break;
		}
		rc = nowhere
		         ? pg_exec(ctx, "listing bookings", SQL_PAGE_NOWHERE, 2, after, &page, err)
		         : pg_exec(ctx, "listing bookings", SQL_PAGE, 3, at, &page, err);
		if (rc != SNAP_OK)
			break;
		if ((n = PQntuples(page)) > 0) {
			snprintf(last, sizeof(last), "%s", PQgetvalue(page, n - 1, 0));
			if (!nowhere)
				snprintf(last_loc, sizeof(last_loc), "%s",
				         PQgetvalue(page, n - 1, 1));
			result_array(page, NULL, &b.ids);
			rc = b.ids.failed ? snap_fail(err, SNAP_ERR_INTERNAL, "out of memory")
			                  : upsert_batch(ctx, &b, o, sum ? sum : &mine, &stop, err);
			sb_free(&b.ids);
			snap_log(ctx, SNAP_LOG_DEBUG, "batch of %d bookings done, up to %s", n,
			         last);
		}
		PQclear(page);
		page = NULL;
		if (rc != SNAP_OK || stop)
			break;
		if (n < batch_size) { /* this walk is over */
			if (nowhere)
				break;
			nowhere = 1; /* then the bookings without a location, from the first */
			last[0] = '\0';
		}
	}
	return rc;
}
