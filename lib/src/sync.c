/* publish, sync-all and withdraw: claim snapshots under a lease, write their listings in one
 * unordered bulk write per batch, settle them under a fence.
 *
 * A claim sets status 'publishing' and a fresh lease_token, with lease_expires_at on the
 * database clock; rows are taken with FOR UPDATE SKIP LOCKED, so concurrent runs on any number
 * of hosts share the work. Settling updates only rows whose lease_token is still the claim's
 * (the fence): a worker whose lease expired and was taken over, or whose snapshot an upsert
 * changed meanwhile (upsert clears the lease), changes nothing. Listings are written with a
 * version guard, so whatever runs twice or late, a listing never goes back to an older
 * version, and a crash at any point leaves work that a later run claims again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "listings.h"

enum { MAX_ID_ROUNDS = 3, MAX_SETTLE_ATTEMPTS = 3 };

/* What a run claims: due work (or the ids given, whatever their state), the ids given to
 * remove their listings, or those of the ids given that are due. */
enum mode { SYNC, WITHDRAW, DUE_AMONG };

/* The claims (lib/sql/sync_claim.sql): $1 how many at most, $2 lease seconds, $3 failed
 * snapshots settled before this time are due again, $4 ids, $5 what, $6 dry run. */
static const char *const claim_what[] = {
    [SYNC] = "ids", [WITHDRAW] = "withdraw", [DUE_AMONG] = "due"};

/* $1 ids: the first that has no snapshot. */
static const char SQL_MISSING[] =
    "SELECT u.id::text FROM unnest($1::uuid[]) AS u(id)"
    " WHERE NOT EXISTS (SELECT 1 FROM market_inventory_snapshots s WHERE s.booking_id = u.id)"
    " LIMIT 1";

/* $1 token, $2 [{id, prev, recheck}]: gives claims back untouched (MongoDB unreachable). */
static const char SQL_RELEASE[] =
    "UPDATE market_inventory_snapshots s SET status = u.prev, lease_token = NULL,"
    " lease_expires_at = NULL, recheck = s.recheck OR u.recheck, held = u.held"
    " FROM jsonb_to_recordset($2::jsonb) AS u(id uuid, prev text, recheck boolean, held boolean)"
    " WHERE s.booking_id = u.id AND s.lease_token = $1::uuid";

/* The columns of a claim (lib/sql/sync_claim.sql): prev, recheck and held are what a release
 * gives back. */
enum {
	COL_ID,
	COL_TOKEN,
	COL_PREV,
	COL_RECHECK,
	COL_HELD,
	COL_OID,
	COL_VERSION,
	COL_ACTION,
	COL_SET,
	COL_INSERT
};

static snap_code release(snap_ctx *ctx, const PGresult *claim)
{
	strbuf json = {0};
	const char *params[2] = {PQgetvalue(claim, 0, COL_TOKEN), NULL};
	PGresult *res = NULL;
	snap_error ignored;
	int i;
	snap_code rc;

	sb_add(&json, "[");
	for (i = 0; i < PQntuples(claim); i++) {
		static const char *const keys[] = {"id", "prev", "recheck", "held"};
		const char *values[] = {
		    PQgetvalue(claim, i, COL_ID), PQgetvalue(claim, i, COL_PREV),
		    PQgetvalue(claim, i, COL_RECHECK), PQgetvalue(claim, i, COL_HELD)};

		sb_add(&json, i ? "," : "");
		sb_add_json_record(&json, keys, values, 4);
	}
	sb_add(&json, "]");
	params[1] = json.buf;
	rc = json.failed ? SNAP_ERR_INTERNAL
	                 : pg_exec(ctx, "releasing claims", SQL_RELEASE, 2, params, &res, &ignored);
	PQclear(res);
	sb_free(&json);
	return rc;
}

/* The outcome to record for an item. */
static const char *outcome(const struct listing_item *item, const char *action,
                           const struct listing_result *r)
{
	switch (r->outcome) {
	case LISTING_WRITTEN:
		if (!item->remove)
			return "published";
		return strcmp(action, "complete") ? "withdrawn" : "completed";
	case LISTING_NEWER:
		return "newer";
	case LISTING_RETRY:
	case LISTING_REJECTED:
		break;
	}
	return "retry";
}

/* Counts an outcome; one to retry counts as failed when its snapshot is now 'failed'. */
static void count(snap_sync_summary *sum, const char *o, int failed)
{
	if (!strcmp(o, "published"))
		sum->published++;
	else if (!strcmp(o, "withdrawn"))
		sum->withdrawn++;
	else if (!strcmp(o, "completed"))
		sum->completed++;
	else if (failed)
		sum->failed++;
	else
		sum->retried++;
}

/* The last_error an item's outcome records; "" for none. */
static void item_error(const struct listing_item *item, const char *action,
                       const struct listing_result *r, char *buf, size_t bufsz)
{
	buf[0] = '\0';
	if (r->outcome == LISTING_NEWER)
		snprintf(
		    buf, bufsz,
		    "the listing was at version %lld, ahead of the snapshot's %lld: PostgreSQL "
		    "lost history, so the snapshot moves past it",
		    (long long)r->found_version, (long long)item->version);
	else if (r->outcome != LISTING_WRITTEN)
		snprintf(buf, bufsz, "%s", r->error);
	else if (!strcmp(action, "gone"))
		snprintf(buf, bufsz, "the booking no longer exists");
}

/* What became of each item, as sync_settle.sql's $2: [{id, outcome, lid, error, found}]. */
static void outcomes_json(const PGresult *claim, const struct listing_item *items,
                          const struct listing_result *results, int withdraw, strbuf *json)
{
	static const char *const keys[] = {"id", "outcome", "lid", "error", "found"};
	char error[200], found[24];
	int i;

	sb_add(json, "[");
	for (i = 0; i < PQntuples(claim); i++) {
		const struct listing_result *r = &results[i];
		const char *action = withdraw ? "withdraw" : PQgetvalue(claim, i, COL_ACTION);
		const char *values[] = {items[i].booking_id, outcome(&items[i], action, r),
		                        r->listing_id, error, found};

		item_error(&items[i], action, r, error, sizeof(error));
		snprintf(found, sizeof(found), "%lld", (long long)r->found_version);
		sb_add(json, i ? "," : "");
		sb_add_json_record(json, keys, values, 5);
	}
	sb_add(json, "]");
}

/* A batch in hand: the claim's rows as listing items, what writing them gave, and once
 * written, its outcomes as settling sends them (sync_settle.sql's $2 and $3). */
struct hand {
	PGresult *claim;
	struct listing_item *items;
	struct listing_result *results;
	int n;
	double claimed_at;
	const struct mongo_ops *ops; /* set once its listings are prepared */
	strbuf outcomes;
	char attempts[16];
};

static void hand_free(struct hand *h)
{
	if (h->ops)
		h->ops->unprepare(h->items, (size_t)h->n);
	free(h->items);
	free(h->results);
	PQclear(h->claim);
	sb_free(&h->outcomes);
	memset(h, 0, sizeof(*h));
}

/* Sends the settling of the batch in hand, under its fence; settle_count counts what its
 * pg_receive gives. */
static snap_code settle_send(snap_ctx *ctx, struct hand *h, int withdraw, snap_error *err)
{
	const char *params[3] = {PQgetvalue(h->claim, 0, COL_TOKEN), NULL, h->attempts};

	snprintf(h->attempts, sizeof(h->attempts), "%d", ctx->max_attempts);
	sb_free(&h->outcomes); /* sent before, when that failed */
	outcomes_json(h->claim, h->items, h->results, withdraw, &h->outcomes);
	if (h->outcomes.failed)
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	params[1] = h->outcomes.buf;
	return pg_send(ctx, "marking snapshots", snap_sql_sync_settle, 3, params, err);
}

/* Counts what the settling of the batch in hand gave, rc and res from its pg_receive (res
 * taken); *again counts the snapshots due again at once (their listing was ahead of them). */
static snap_code settle_count(snap_ctx *ctx, struct hand *h, snap_code rc, PGresult *res,
                              snap_sync_summary *sum, int *again, snap_error *err)
{
	const char *params[3] = {PQgetvalue(h->claim, 0, COL_TOKEN), h->outcomes.buf, h->attempts};
	int i, attempt;

	/* A deadlock with an upsert of the same rows rolls the settling back: it is fenced by
	 * the lease, so it is simply done again. */
	for (attempt = 1; rc == SNAP_ERR_TEMPORARY && attempt < MAX_SETTLE_ATTEMPTS; attempt++) {
		snap_log(ctx, SNAP_LOG_INFO, "settling again: %s", err ? err->message : "");
		rc = pg_exec(ctx, "marking snapshots", snap_sql_sync_settle, 3, params, &res, err);
	}
	*again = 0;
	/* Rows a newer claim or an upsert took over are not settled: they count as stale. */
	if (rc == SNAP_OK)
		sum->skipped_stale += PQntuples(h->claim) - PQntuples(res);
	for (i = 0; rc == SNAP_OK && i < PQntuples(res); i++) {
		const char *o = PQgetvalue(res, i, 0);

		if (!strcmp(o, "newer"))
			++*again;
		else
			count(sum, o, !strcmp(PQgetvalue(res, i, 1), "failed"));
	}
	PQclear(res);
	return rc;
}

static snap_code id_array(const snap_sync_opts *o, strbuf *sb, snap_error *err)
{
	sb_add_text_array(sb, o->ids, o->nids);
	return sb->failed ? snap_fail(err, SNAP_ERR_INTERNAL, "out of memory") : SNAP_OK;
}

/* The rows of claim (owned by h from here) as listing items in h; 0 when out of memory. */
static int fill(PGresult *claim, double claimed_at, int force_remove, struct hand *h)
{
	int i;

	h->claim = claim;
	h->claimed_at = claimed_at;
	h->n = PQntuples(claim);
	if (!h->n)
		return 1;
	h->items = calloc((size_t)h->n, sizeof(*h->items));
	h->results = calloc((size_t)h->n, sizeof(*h->results));
	if (!h->items || !h->results)
		return 0;
	for (i = 0; i < h->n; i++) {
		struct listing_item *it = &h->items[i];

		it->booking_id = PQgetvalue(claim, i, COL_ID);
		it->listing_id = PQgetvalue(claim, i, COL_OID);
		it->version = strtoll(PQgetvalue(claim, i, COL_VERSION), NULL, 10);
		it->remove =
		    force_remove || strcmp(PQgetvalue(claim, i, COL_ACTION), "publish") != 0;
		it->set_json = PQgetvalue(claim, i, COL_SET);
		it->insert_json = PQgetvalue(claim, i, COL_INSERT);
	}
	return 1;
}

/* Counts the batch filled into h; gives it back and lets it go when it could not be. */
static snap_code took(snap_ctx *ctx, int filled, struct hand *h, snap_sync_summary *sum,
                      snap_error *err)
{
	sum->claimed += h->n;
	if (filled)
		return SNAP_OK;
	release(ctx, h->claim);
	hand_free(h);
	return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
}

/* Sends a claim (sync_claim.sql's $5 what, $4 ids: NULL for any, $6 dry) of want at most, to
 * be taken with claim_collect; sync-all's sweep sends the next one ahead and takes it beside
 * MongoDB's write of the batch in hand (work_beside). */
static snap_code claim_send(snap_ctx *ctx, const char *what, const char *ids,
                            const char *failed_before, long want, int dry, double *sent,
                            snap_error *err)
{
	char limit[24], lease[16];
	const char *params[6] = {limit, lease, failed_before, ids, what, dry ? "true" : "false"};

	snprintf(limit, sizeof(limit), "%ld", want);
	snprintf(lease, sizeof(lease), "%d", ctx->lease_seconds);
	*sent = now_seconds();
	return pg_send(ctx, "claiming snapshots", snap_sql_sync_claim, 6, params, err);
}

static snap_code claim_collect(snap_ctx *ctx, double sent, int force_remove, struct hand *h,
                               snap_sync_summary *sum, snap_error *err)
{
	PGresult *res = NULL;
	snap_code rc = pg_receive(ctx, "claiming snapshots", &res, err);

	return rc == SNAP_OK ? took(ctx, fill(res, sent, force_remove, h), h, sum, err) : rc;
}

/* Claims into h a batch of want of what is due, or the ids given (all of them, or those due
 * among them); dry, only reads what it would claim. MongoDB is reached first, so that when it
 * is down nothing is touched; but not for those due among ids: usually none is, and then
 * MongoDB is not reached at all (when it is down, writing fails and the claims go back). */
static snap_code claim(snap_ctx *ctx, const snap_sync_opts *o, enum mode mode,
                       const char *failed_before, long want, struct hand *h, snap_sync_summary *sum,
                       snap_error *err)
{
	const struct mongo_ops *ops;
	strbuf ids = {0};
	double sent;
	void *store;
	int dry = (o->run.flags & SNAP_DRY_RUN) != 0;
	snap_code rc = SNAP_OK;

	if ((mode != DUE_AMONG && !dry &&
	     (rc = listings_open(ctx, &ops, &store, err)) != SNAP_OK) ||
	    (o->ids && (rc = id_array(o, &ids, err)) != SNAP_OK))
		goto out;
	rc = claim_send(ctx, o->ids ? claim_what[mode] : "due", ids.buf, failed_before, want, dry,
	                &sent, err);
	if (rc == SNAP_OK)
		rc = claim_collect(ctx, sent, mode == WITHDRAW, h, sum, err);
out:
	sb_free(&ids);
	return rc;
}

/* Writes the listings of the batch in hand. *written 0: nothing written, the claims go back
 * (a worker that stalled past most of its lease writes nothing: another may own the items by
 * now; settling is fenced anyway, this keeps late writes rare). */
static snap_code write_hand(snap_ctx *ctx, struct hand *h, int *written, snap_sync_summary *sum,
                            snap_error *err)
{
	const struct mongo_ops *ops;
	void *store;
	snap_code rc;

	*written = 0;
	if (now_seconds() - h->claimed_at > ctx->lease_seconds * 0.8) {
		snap_log(ctx, SNAP_LOG_WARN, "lease of %d snapshots nearly over; giving them back",
		         h->n);
		sum->skipped_stale += h->n;
		return SNAP_OK;
	}
	/* Unreachable mid-batch: what was written is at its version, guarded; the claims go
	 * back, and a later run settles them. */
	if ((rc = listings_open(ctx, &ops, &store, err)) == SNAP_OK &&
	    (rc = ops->write(store, h->items, (size_t)h->n, h->results, err)) == SNAP_OK)
		*written = 1;
	return rc;
}

/* Settles the batch in hand when written, else gives its claims back; then lets it go. */
static snap_code settle_hand(snap_ctx *ctx, struct hand *h, int written, int force_remove,
                             snap_sync_summary *sum, int *again, snap_error *err)
{
	snap_code rc = SNAP_OK;

	*again = 0;
	if (written && (rc = settle_send(ctx, h, force_remove, err)) == SNAP_OK) {
		PGresult *res = NULL;

		rc = pg_receive(ctx, "marking snapshots", &res, err);
		rc = settle_count(ctx, h, rc, res, sum, again, err);
	} else if (!written)
		release(ctx, h->claim);
	hand_free(h);
	return rc;
}

/* What a claim would take now, all at once, counted as if every listing were written. */
static snap_code dry_run(snap_ctx *ctx, const snap_sync_opts *o, enum mode mode,
                         const char *failed_before, snap_sync_summary *sum, snap_error *err)
{
	static const struct listing_result written = {.outcome = LISTING_WRITTEN};
	struct hand h = {0};
	snap_code rc;
	int i;

	rc = claim(ctx, o, mode, failed_before, o->run.limit > 0 ? o->run.limit : 2147483647L, &h,
	           sum, err);
	for (i = 0; rc == SNAP_OK && i < h.n; i++)
		count(sum, outcome(&h.items[i], PQgetvalue(h.claim, i, COL_ACTION), &written), 0);
	hand_free(&h);
	return rc;
}

/* Every id must name a snapshot; else SNAP_ERR_NOT_FOUND, before anything is touched. */
static snap_code check_ids(snap_ctx *ctx, const snap_sync_opts *o, snap_error *err)
{
	strbuf ids = {0};
	const char *params[1];
	PGresult *res = NULL;
	size_t i;
	snap_code rc;

	for (i = 0; i < o->nids; i++)
		if (!snap_uuid_valid(o->ids[i]))
			return snap_fail(err, SNAP_ERR_INPUT, "booking id '%.60s' is not a UUID",
			                 o->ids[i]);
	if (!o->nids)
		return snap_fail(err, SNAP_ERR_USAGE, "no booking ids given");
	if ((rc = id_array(o, &ids, err)) == SNAP_OK) {
		params[0] = ids.buf;
		rc = pg_exec(ctx, "finding snapshots", SQL_MISSING, 1, params, &res, err);
	}
	if (rc == SNAP_OK && PQntuples(res))
		rc = snap_fail(err, SNAP_ERR_NOT_FOUND, "no snapshot for booking '%s'",
		               PQgetvalue(res, 0, 0));
	PQclear(res);
	sb_free(&ids);
	return rc;
}

/* The work done beside MongoDB's write of the batch in hand, by a thread of its own that has
 * the PostgreSQL connection until the write is done: the results of the claim of the next
 * batch and of the settling of the one written before, sent in that order before the write,
 * and between the two the next batch's listings converted. */
struct beside {
	snap_ctx *ctx;
	const struct mongo_ops *ops;
	struct hand *settling, *next; /* NULL: not sent */
	double sent;                  /* when the claim was */
	snap_code settle_rc, claim_rc;
	PGresult *settled;
	snap_error settle_err, claim_err;
	int filled;
	struct beside_run run;
};

static void *work_beside(void *arg)
{
	struct beside *b = arg;
	PGresult *claim = NULL;

	if (b->next &&
	    (b->claim_rc = pg_receive(b->ctx, "claiming snapshots", &claim, &b->claim_err)) ==
	        SNAP_OK &&
	    (b->filled = fill(claim, b->sent, 0, b->next))) {
		b->ops->prepare(b->next->items, (size_t)b->next->n);
		b->next->ops = b->ops;
	}
	if (b->settling)
		b->settle_rc = pg_receive(b->ctx, "marking snapshots", &b->settled, &b->settle_err);
	return NULL;
}

/* Sends the claim of the next batch (of more at most; none when 0) into next and the settling
 * of the batch in settling (when it holds one), and starts the thread that takes them. A claim
 * that cannot be sent only ends the sweep after this batch. */
static snap_code send_beside(struct beside *b, struct hand *settling, struct hand *next, long more,
                             const char *failed_before, snap_error *err)
{
	snap_error ignored;
	snap_code rc = pg_pipeline_begin(b->ctx, err);

	if (rc == SNAP_OK && more > 0 &&
	    claim_send(b->ctx, "due", NULL, failed_before, more, 0, &b->sent, &ignored) == SNAP_OK)
		b->next = next;
	if (rc == SNAP_OK && settling->claim &&
	    (rc = settle_send(b->ctx, settling, 0, err)) == SNAP_OK)
		b->settling = settling;
	if (b->next || b->settling)
		beside_start(&b->run, work_beside, b); /* or at once, before the write */
	return rc;
}

/* The first error of a step stands. */
static void first_error(snap_code *rc, snap_error *err, snap_code rc2, const snap_error *err2)
{
	if (*rc != SNAP_OK || rc2 == SNAP_OK)
		return;
	*rc = rc2;
	if (err)
		*err = *err2;
}

/* Once the write is done: waits for the thread and counts what it took; the batch settled is
 * let go. The first error stands in *rc. */
static void take_beside(struct beside *b, snap_sync_summary *sum, snap_code *rc, snap_error *err)
{
	int again;

	beside_join(&b->run);
	pg_pipeline_end(b->ctx);
	if (b->settling) {
		first_error(rc, err,
		            settle_count(b->ctx, b->settling, b->settle_rc, b->settled, sum, &again,
		                         &b->settle_err),
		            &b->settle_err);
		hand_free(b->settling);
	}
	if (b->next && b->claim_rc == SNAP_OK)
		b->claim_rc = took(b->ctx, b->filled, b->next, sum, &b->claim_err);
	if (b->next)
		first_error(rc, err, b->claim_rc, &b->claim_err);
}

/* sync-all's sweep of what is due, batch after batch until nothing is, the limit or the time
 * is reached, or a signal. While MongoDB writes the batch in hand, PostgreSQL claims the next
 * and settles the one written before (both sent at once, in libpq's pipeline mode, the claim
 * first so that its listings are converted while PostgreSQL settles), and a thread takes their
 * results and converts: when PostgreSQL keeps up, nothing but the write is left between two
 * writes. */
static snap_code sweep(snap_ctx *ctx, const snap_sync_opts *o, const char *failed_before,
                       double start, snap_sync_summary *sum, snap_error *err)
{
	long batch_size = batch_of(&o->run, SNAP_SYNC_BATCH), want = 0, more;
	struct hand cur = {0}, next = {0}, settling = {0};
	const struct mongo_ops *ops;
	void *store;
	snap_error ignored, more_err;
	snap_code rc = SNAP_OK, rc2, more_rc;
	int written, again;

	for (;;) {
		struct beside b = {.ctx = ctx};

		/* Nothing claimed ahead (the first batch, or one after a batch that was not full,
		 * as settling may have made more due): claimed now. */
		if (!cur.claim) {
			if ((rc = next_batch(ctx, o->run.limit, sum->claimed, batch_size, start,
			                     o->run.max_seconds, &want, err)) != SNAP_OK ||
			    want == 0 ||
			    (rc = claim(ctx, o, SYNC, failed_before, want, &cur, sum, err)) !=
			        SNAP_OK ||
			    cur.n == 0 || (rc = listings_open(ctx, &ops, &store, err)) != SNAP_OK)
				break;
			ops->prepare(cur.items, (size_t)cur.n);
			cur.ops = ops;
		}
		if (cur.n == 0)
			break;
		b.ops = ops;
		/* The next claim goes out only when this one was full and more may be taken. */
		more = 0;
		more_rc = cur.n == want ? next_batch(ctx, o->run.limit, sum->claimed, batch_size,
		                                     start, o->run.max_seconds, &more, &more_err)
		                        : SNAP_OK;
		rc = send_beside(&b, &settling, &next, more, failed_before, err);
		written = 0;
		if (rc == SNAP_OK)
			rc = write_hand(ctx, &cur, &written, sum, err);
		/* Its BSON is done with: three batches are in hand from here. */
		ops->unprepare(cur.items, (size_t)cur.n);
		cur.ops = NULL;
		take_beside(&b, sum, &rc, err);
		first_error(&rc, err, more_rc, &more_err);
		/* A batch written is settled beside the next write, or now when the sweep stops;
		 * one not written goes back, and so does the next when the sweep stops. */
		if (written && rc == SNAP_OK && next.n > 0)
			settling = cur;
		else if ((rc2 = settle_hand(ctx, &cur, written, 0, sum, &again,
		                            rc == SNAP_OK ? err : &ignored)) != SNAP_OK &&
		         rc == SNAP_OK)
			rc = rc2;
		memset(&cur, 0, sizeof(cur));
		if (rc != SNAP_OK && next.claim)
			settle_hand(ctx, &next, 0, 0, sum, &again, &ignored);
		cur = next;
		memset(&next, 0, sizeof(next));
		want = more;
		if (rc != SNAP_OK)
			break;
		progress(ctx, "claimed", sum->claimed);
	}
	/* Written, but its settling could not be sent: once more, alone. */
	if (settling.claim)
		settle_hand(ctx, &settling, 1, 0, sum, &again, &ignored);
	hand_free(&cur);
	return rc;
}

/* The ids given: one batch, again for those whose listing was ahead (lost history). */
static snap_code by_ids(snap_ctx *ctx, const snap_sync_opts *o, enum mode mode,
                        const char *failed_before, double start, snap_sync_summary *sum,
                        snap_error *err)
{
	long want = 0;
	struct hand h = {0};
	snap_error ignored;
	snap_code rc = SNAP_OK, rc2;
	int again = 0, written, rounds = 0;

	while (rc == SNAP_OK) {
		rc = next_batch(ctx, o->run.limit, sum->claimed, batch_of(&o->run, SNAP_SYNC_BATCH),
		                start, o->run.max_seconds, &want, err);
		if (rc != SNAP_OK || want == 0 ||
		    (rc = claim(ctx, o, mode, failed_before, want, &h, sum, err)) != SNAP_OK ||
		    h.n == 0)
			break;
		rc = write_hand(ctx, &h, &written, sum, err);
		rc2 = settle_hand(ctx, &h, written, mode == WITHDRAW, sum, &again,
		                  rc == SNAP_OK ? err : &ignored);
		if (rc == SNAP_OK)
			rc = rc2;
		if (!again || ++rounds >= MAX_ID_ROUNDS)
			break;
		progress(ctx, "claimed", sum->claimed);
	}
	hand_free(&h);
	return rc;
}

static snap_code run(snap_ctx *ctx, const snap_sync_opts *o, enum mode mode, snap_sync_summary *sum,
                     snap_error *err)
{
	double start = now_seconds();
	PGresult *started = NULL;
	const char *failed_before = NULL;
	snap_code rc = SNAP_OK;

	memset(sum, 0, sizeof(*sum));
	if ((o->run.flags & SNAP_SYNC_RETRY_FAILED) &&
	    (rc = pg_exec(ctx, "reading the clock", "SELECT now()::text", 0, NULL, &started,
	                  err)) == SNAP_OK)
		failed_before = PQgetvalue(started, 0, 0);
	if (rc == SNAP_OK && (o->run.flags & SNAP_DRY_RUN))
		rc = dry_run(ctx, o, mode, failed_before, sum, err);
	else if (rc == SNAP_OK && mode == SYNC && !o->ids)
		rc = sweep(ctx, o, failed_before, start, sum, err);
	else if (rc == SNAP_OK)
		rc = by_ids(ctx, o, mode, failed_before, start, sum, err);
	PQclear(started);
	return rc;
}

static void tally(snap_sync_summary *s)
{
	tally_counts(&s->tally, "claimed", s->claimed, "published", s->published, "withdrawn",
	             s->withdrawn, "completed", s->completed, "skipped_stale", s->skipped_stale,
	             "retried", s->retried, "failed", s->failed);
	s->tally.partial = s->retried + s->failed > 0;
}

snap_code snap_sync(snap_ctx *ctx, const snap_sync_opts *opts, snap_sync_summary *sum,
                    snap_error *err)
{
	double start = now_seconds();
	snap_code rc;

	memset(sum, 0, sizeof(*sum));
	if (opts->ids && (rc = check_ids(ctx, opts, err)) != SNAP_OK)
		return rc;
	rc = run(ctx, opts, SYNC, sum, err);
	tally(sum);
	tally_end(ctx, &opts->run, &sum->tally, start, rc);
	return rc;
}

snap_code snap_withdraw(snap_ctx *ctx, const char *booking_id, unsigned flags, snap_error *err)
{
	snap_sync_opts o = {0};
	snap_sync_summary sum;
	snap_code rc;

	o.ids = &booking_id;
	o.nids = 1;
	o.run.flags = flags & SNAP_DRY_RUN;
	if ((rc = check_ids(ctx, &o, err)) != SNAP_OK ||
	    (rc = run(ctx, &o, WITHDRAW, &sum, err)) != SNAP_OK)
		return rc;
	if (!(flags & SNAP_DRY_RUN) && sum.withdrawn == 0)
		return snap_fail(err, SNAP_ERR_TEMPORARY, "the listing of '%s' is still there",
		                 booking_id);
	return SNAP_OK;
}

/* $1 ids, $2 true for a dry run: those published and not claimed are made due, to be published
 * again at their version. A row locked meanwhile is changing hands (a claim, an upsert) and
 * left alone. */
static const char SQL_MAKE_DUE[] =
    "WITH m AS (SELECT booking_id FROM market_inventory_snapshots"
    "  WHERE booking_id = ANY ($1::uuid[]) AND status = 'published' AND lease_token IS NULL"
    "  FOR UPDATE SKIP LOCKED),"
    " u AS (UPDATE market_inventory_snapshots s SET status = 'ready_to_publish',"
    "  status_changed_at = now(), attempts = 0, next_attempt_at = now()"
    "  FROM m WHERE s.booking_id = m.booking_id AND NOT $2::boolean)"
    " SELECT count(*) FROM m";

snap_code sync_make_due(snap_ctx *ctx, const char *const *ids, size_t n, int dry_run, long *made,
                        snap_error *err)
{
	strbuf arr = {0};
	const char *params[2];
	PGresult *res = NULL;
	snap_code rc;

	*made = 0;
	if (!n)
		return SNAP_OK;
	sb_add_text_array(&arr, ids, n);
	params[0] = arr.buf;
	params[1] = dry_run ? "true" : "false";
	if (arr.failed)
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	else if ((rc = pg_exec(ctx, "making snapshots due", SQL_MAKE_DUE, 2, params, &res, err)) ==
	         SNAP_OK)
		*made = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	sb_free(&arr);
	return rc;
}

snap_code sync_due_among(snap_ctx *ctx, const char *const *ids, size_t n, snap_sync_summary *sum,
                         snap_error *err)
{
	snap_sync_opts o = {.ids = ids, .nids = n, .run = {.batch_size = SNAP_SYNC_BATCH}};
	snap_sync_summary s;
	size_t rounds = n / SNAP_SYNC_BATCH + 1; /* a full claim may leave more */
	snap_code rc;

	memset(sum, 0, sizeof(*sum));
	do {
		rc = run(ctx, &o, DUE_AMONG, &s, err);
		sum->claimed += s.claimed;
		sum->published += s.published;
		sum->withdrawn += s.withdrawn;
		sum->completed += s.completed;
		sum->skipped_stale += s.skipped_stale;
		sum->retried += s.retried;
		sum->failed += s.failed;
	} while (rc == SNAP_OK && s.claimed == SNAP_SYNC_BATCH && --rounds);
	return rc;
}
