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

/* What a snapshot's listing needs: removed because the booking is gone (deleted from the
 * source), withdrawn (the booking was, or an operator withdrew it), completed, or published.
 * The booking is looked up by a scalar subquery: one probe of its primary key per snapshot
 * (NOT EXISTS lets the planner hash every booking instead, on every claim). */
#define ACTION                                                                                     \
	"CASE WHEN (SELECT b.id FROM storage_bookings b WHERE b.id = s.booking_id) IS NULL"        \
	"     THEN 'gone' WHEN s.held THEN 'withdraw'"                                             \
	"     WHEN pg_catalog.lower(s.booking_status) IN ('cancelled', 'rejected') THEN "          \
	"'withdraw'"                                                                               \
	"     WHEN pg_catalog.lower(s.booking_status) = 'completed' OR s.end_date < now()"         \
	"     THEN 'complete' ELSE 'publish' END"

/* The action, then the listing fields of SPEC section 5 (snapshot_version is the item's, added
 * by the module) as extended JSON for $set and $setOnInsert. */
#define LISTING_COLUMNS                                                                            \
	ACTION                                                                                     \
	","                                                                                        \
	" json_build_object(" SQL_LISTING_FIELDS ","                                               \
	"  'updated_at', json_build_object('$date', to_char(now() AT TIME ZONE 'UTC',"             \
	"   'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))),"                                               \
	" json_build_object('published_at', json_build_object('$date', to_char(now() AT TIME"      \
	"  ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')))"

/* A claim of the rows in due; HELD is what becomes of an operator's hold (publish lifts it).
 * Each row comes back with what giving it back untouched needs (release). */
#define CLAIM_SET(HELD)                                                                            \
	" UPDATE market_inventory_snapshots s SET status = 'publishing',"                          \
	"  lease_token = tok.token, lease_expires_at = now() + make_interval(secs => $2),"         \
	"  listing_oid = coalesce(s.listing_oid, snapctl_object_id()), recheck = false,"           \
	"  held = " HELD " FROM due, tok WHERE s.booking_id = due.booking_id"                      \
	" RETURNING s.booking_id::text, tok.token::text, json_build_object('id', s.booking_id,"    \
	"  'prev', due.prev, 'recheck', due.recheck, 'held', due.held)::text, s.listing_oid,"      \
	" s.snapshot_version, " LISTING_COLUMNS

/* A claim puts a snapshot whose lease expired back to ready_to_publish if released, with its
 * recheck and hold as they were. */
#define PREV                                                                                       \
	"CASE WHEN s.status = 'publishing' THEN 'ready_to_publish' ELSE s.status END AS prev,"     \
	" s.recheck, s.held"

#define DUE                                                                                        \
	" (s.status = 'ready_to_publish' AND s.next_attempt_at <= now())"                          \
	" OR (s.status = 'publishing' AND s.lease_expires_at < now())"                             \
	" OR (s.status = 'published' AND s.end_date < now())"                                      \
	" OR (s.status = 'failed' AND s.end_date < now())"                                         \
	" OR (s.recheck AND s.status IN ('withdrawn', 'completed'))"                               \
	" OR (s.status = 'failed' AND s.status_changed_at < $3::timestamptz)"

/* $1 limit, $2 lease seconds, $3 failed snapshots settled before this time are due again
 * (--retry-failed: the run's start, so a run never retries what it failed itself; NULL:
 * none). The kinds of due work (DUE) are taken apart, each through its own partial index
 * (migrate_002.sql) and at most $1 of each, so that a claim reads about $1 rows however many
 * are due: as one OR, the planner reads and sorts every due row, and claiming N due rows costs
 * N^2 / $1 (200,000: 400 claims of 200,000 rows each). Then the $1 first by next_attempt_at,
 * as before; the other rows locked are let go when the statement ends. */
#define KIND_COLUMNS                                                                               \
	"SELECT s.booking_id, " PREV ", s.next_attempt_at"                                         \
	" FROM market_inventory_snapshots s WHERE "
static const char SQL_CLAIM_DUE[] =
    "WITH ready AS (" KIND_COLUMNS "s.status = 'ready_to_publish' AND s.next_attempt_at <= now()"
    "  ORDER BY s.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " expired AS (" KIND_COLUMNS "s.status = 'publishing' AND s.lease_expires_at < now()"
    "  LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " ended AS (" KIND_COLUMNS "s.status = 'published' AND s.end_date < now()"
    "  LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " failed AS (" KIND_COLUMNS "s.status = 'failed'"
    "  AND (s.end_date < now() OR s.status_changed_at < $3::timestamptz)"
    "  ORDER BY s.next_attempt_at NULLS FIRST LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " rechecked AS (" KIND_COLUMNS "s.recheck AND s.status IN ('withdrawn', 'completed')"
    "  LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " due AS (SELECT * FROM (SELECT * FROM ready UNION ALL SELECT * FROM expired"
    "  UNION ALL SELECT * FROM ended UNION ALL SELECT * FROM failed"
    "  UNION ALL SELECT * FROM rechecked) d ORDER BY d.next_attempt_at NULLS FIRST LIMIT $1),"
    " tok AS (SELECT gen_random_uuid() AS token)" CLAIM_SET("s.held");

/* $1 ids (uuid[]), $2 lease seconds: these, whatever their state, waiting for their locks.
 * publish lifts an operator's hold, withdraw sets it (so that a removal left to retry stays
 * a removal). */
#define CLAIM_IDS(HELD)                                                                            \
	"WITH due AS (SELECT s.booking_id, " PREV " FROM market_inventory_snapshots s"             \
	" WHERE s.booking_id = ANY ($1::uuid[]) ORDER BY s.booking_id FOR UPDATE),"                \
	" tok AS (SELECT gen_random_uuid() AS token)" CLAIM_SET(HELD)
static const char SQL_CLAIM_IDS[] = CLAIM_IDS("false");
static const char SQL_CLAIM_WITHDRAW[] = CLAIM_IDS("true");

/* $1 ids (uuid[]), $2 lease seconds, $3 as above: these, of those that are due and free. */
static const char SQL_CLAIM_IDS_DUE[] =
    "WITH due AS (SELECT s.booking_id, " PREV " FROM market_inventory_snapshots s"
    " WHERE s.booking_id = ANY ($1::uuid[]) AND (" DUE ") ORDER BY s.booking_id"
    " FOR UPDATE SKIP LOCKED),"
    " tok AS (SELECT gen_random_uuid() AS token)" CLAIM_SET("s.held");

/* $1 limit, $3 as in a claim: what a claim would take, by action ($2 unused but typed). */
#define COUNT_ACTIONS                                                                              \
	"SELECT count(*) FILTER (WHERE a = 'publish'),"                                            \
	" count(*) FILTER (WHERE a IN ('withdraw', 'gone')),"                                      \
	" count(*) FILTER (WHERE a = 'complete') FROM (SELECT " ACTION " AS a"                     \
	" FROM market_inventory_snapshots s WHERE "

static const char SQL_DRY_RUN[] = COUNT_ACTIONS "$2::int IS NOT NULL AND (" DUE ") LIMIT $1) x";

/* $1 ids: the same counts for these snapshots. */
static const char SQL_DRY_RUN_IDS[] = COUNT_ACTIONS "s.booking_id = ANY ($1::uuid[])) x";

/* $1 ids ($2 unused but typed, $3 NULL): those that are due. */
static const char SQL_DUE_AMONG[] =
    "SELECT s.booking_id::text FROM market_inventory_snapshots s"
    " WHERE s.booking_id = ANY ($1::uuid[]) AND $2::int IS NULL AND (" DUE ")";

/* $1 ids: the first that has no snapshot. */
static const char SQL_MISSING[] =
    "SELECT u.id::text FROM unnest($1::uuid[]) AS u(id)"
    " WHERE NOT EXISTS (SELECT 1 FROM market_inventory_snapshots s WHERE s.booking_id = u.id)"
    " LIMIT 1";

/* $1 token, $2 [{id, outcome, lid, error, found}], $3 attempts before 'failed'. Outcomes:
 * published, withdrawn, completed, retry, newer: the listing is at version found, ahead of the
 * snapshot. Under the fence that can only mean PostgreSQL lost history (an upsert would have taken
 * the claim), so the snapshot moves past the listing and is due at once (SPEC section 9). Rows
 * whose claim was taken over are not settled; if this worker wrote their listing, they get recheck
 * (see migrate_002.sql). Returns the settled rows' outcome and new status. */
static const char SQL_SETTLE[] =
    "WITH u AS (SELECT * FROM jsonb_to_recordset($2::jsonb)"
    "  AS u(id uuid, outcome text, lid text, error text, found bigint)),"
    " settled AS (UPDATE market_inventory_snapshots s SET"
    " status = CASE WHEN u.outcome IN ('published', 'withdrawn', 'completed') THEN u.outcome"
    "  WHEN u.outcome = 'retry' AND s.attempts + 1 >= $3 THEN 'failed'"
    "  ELSE 'ready_to_publish' END,"
    " status_changed_at = now(),"
    " snapshot_version = CASE WHEN u.outcome = 'newer'"
    "  THEN greatest(s.snapshot_version, u.found + 1) ELSE s.snapshot_version END,"
    " published_version = CASE WHEN u.outcome = 'published' THEN s.snapshot_version"
    "  ELSE s.published_version END,"
    /* an older listing under another _id was adopted: that _id is the listing's for good */
    " listing_oid = CASE WHEN u.outcome = 'published' AND u.lid ~ '^[0-9a-f]{24}$' THEN u.lid"
    "  ELSE s.listing_oid END,"
    " market_listing_id = CASE WHEN u.outcome = 'published'"
    "  THEN coalesce(nullif(u.lid, ''), s.market_listing_id)"
    "  WHEN u.outcome IN ('withdrawn', 'completed') THEN NULL ELSE s.market_listing_id END,"
    " published_at = CASE WHEN u.outcome = 'published' THEN coalesce(s.published_at, now())"
    "  ELSE s.published_at END,"
    " last_synced_at = CASE WHEN u.outcome IN ('published', 'withdrawn', 'completed')"
    "  THEN now() ELSE s.last_synced_at END,"
    " attempts = CASE WHEN u.outcome = 'retry' THEN s.attempts + 1"
    "  WHEN u.outcome = 'newer' THEN s.attempts ELSE 0 END,"
    /* capped exponential backoff with jitter: 5 s, 10 s, ... up to an hour, times 0.5..1 */
    " next_attempt_at = CASE WHEN u.outcome = 'retry' THEN now() + make_interval(secs =>"
    "  least(3600, 5 * 2 ^ least(s.attempts, 20)) * (0.5 + random() / 2))"
    "  WHEN u.outcome = 'newer' THEN now() END,"
    " last_error = nullif(u.error, ''),"
    " held = s.held AND u.outcome <> 'published',"
    " lease_token = NULL, lease_expires_at = NULL"
    " FROM u WHERE s.booking_id = u.id AND s.lease_token = $1::uuid"
    " RETURNING s.booking_id, u.outcome, s.status),"
    " lost AS (UPDATE market_inventory_snapshots s SET recheck = true FROM u"
    "  WHERE s.booking_id = u.id AND u.outcome = 'published'"
    "  AND s.booking_id NOT IN (SELECT booking_id FROM settled))"
    " SELECT outcome, status FROM settled";

/* $1 token, $2 [{id, prev, recheck}]: gives claims back untouched (MongoDB unreachable). */
static const char SQL_RELEASE[] =
    "UPDATE market_inventory_snapshots s SET status = u.prev, lease_token = NULL,"
    " lease_expires_at = NULL, recheck = s.recheck OR u.recheck, held = u.held"
    " FROM jsonb_to_recordset($2::jsonb) AS u(id uuid, prev text, recheck boolean, held boolean)"
    " WHERE s.booking_id = u.id AND s.lease_token = $1::uuid";

enum { COL_ID, COL_TOKEN, COL_RELEASE, COL_OID, COL_VERSION, COL_ACTION, COL_SET, COL_INSERT };

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
		sb_add(&json, i ? "," : "");
		sb_add(&json, PQgetvalue(claim, i, COL_RELEASE));
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

/* What became of each item, as SQL_SETTLE's $2: [{id, outcome, lid, error, found}]. */
static void outcomes_json(const PGresult *claim, const struct listing_item *items,
                          const struct listing_result *results, int withdraw, strbuf *json)
{
	char error[200], found[24];
	int i;

	sb_add(json, "[");
	for (i = 0; i < PQntuples(claim); i++) {
		const struct listing_result *r = &results[i];
		const char *action = withdraw ? "withdraw" : PQgetvalue(claim, i, COL_ACTION);

		sb_add(json, i ? ",{\"id\":" : "{\"id\":");
		sb_add_json_string(json, items[i].booking_id);
		sb_add(json, ",\"outcome\":");
		sb_add_json_string(json, outcome(&items[i], action, r));
		sb_add(json, ",\"lid\":");
		sb_add_json_string(json, r->listing_id);
		item_error(&items[i], action, r, error, sizeof(error));
		sb_add(json, ",\"error\":");
		sb_add_json_string(json, error);
		snprintf(found, sizeof(found), ",\"found\":%lld}", (long long)r->found_version);
		sb_add(json, found);
	}
	sb_add(json, "]");
}

/* Settles the claim under its fence; *again counts the snapshots due again at once (their
 * listing was ahead of them). */
static snap_code settle(snap_ctx *ctx, const PGresult *claim, const struct listing_item *items,
                        const struct listing_result *results, int withdraw, snap_sync_summary *sum,
                        int *again, snap_error *err)
{
	strbuf json = {0};
	char attempts[16];
	const char *params[3] = {PQgetvalue(claim, 0, COL_TOKEN), NULL, attempts};
	PGresult *res = NULL;
	int i, attempt;
	snap_code rc;

	*again = 0;
	snprintf(attempts, sizeof(attempts), "%d", ctx->max_attempts);
	outcomes_json(claim, items, results, withdraw, &json);
	params[1] = json.buf;
	/* A deadlock with an upsert of the same rows rolls the settling back: it is fenced by
	 * the lease, so it is simply done again. */
	if (json.failed)
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	else
		for (attempt = 0;; attempt++) {
			rc = pg_exec(ctx, "marking snapshots", SQL_SETTLE, 3, params, &res, err);
			if (rc != SNAP_ERR_TEMPORARY || attempt + 1 >= MAX_SETTLE_ATTEMPTS)
				break;
			snap_log(ctx, SNAP_LOG_INFO, "settling again: %s", err ? err->message : "");
		}
	/* Rows a newer claim or an upsert took over are not settled: they count as stale. */
	if (rc == SNAP_OK)
		sum->skipped_stale += PQntuples(claim) - PQntuples(res);
	for (i = 0; rc == SNAP_OK && i < PQntuples(res); i++) {
		const char *o = PQgetvalue(res, i, 0);

		if (!strcmp(o, "published"))
			sum->published++;
		else if (!strcmp(o, "withdrawn"))
			sum->withdrawn++;
		else if (!strcmp(o, "completed"))
			sum->completed++;
		else if (!strcmp(o, "newer"))
			++*again;
		else if (!strcmp(PQgetvalue(res, i, 1), "failed"))
			sum->failed++;
		else
			sum->retried++;
	}
	PQclear(res);
	sb_free(&json);
	return rc;
}

static snap_code id_array(const snap_sync_opts *o, strbuf *sb, snap_error *err)
{
	sb_add_text_array(sb, o->ids, o->nids);
	return sb->failed ? snap_fail(err, SNAP_ERR_INTERNAL, "out of memory") : SNAP_OK;
}

/* Runs sql_ids with the ids as $1 (and params[1..nids_params-1]) when opts name ids, else
 * sql_due with all nparams params. */
static snap_code pick(snap_ctx *ctx, const snap_sync_opts *o, const char *what, const char *sql_ids,
                      int nids_params, const char *sql_due, int nparams, const char **params,
                      PGresult **res, snap_error *err)
{
	strbuf ids = {0};
	snap_code rc;

	if (!o->ids)
		return pg_exec(ctx, what, sql_due, nparams, params, res, err);
	if ((rc = id_array(o, &ids, err)) == SNAP_OK) {
		params[0] = ids.buf;
		rc = pg_exec(ctx, what, sql_ids, nids_params, params, res, err);
	}
	sb_free(&ids);
	return rc;
}

/* A batch in hand: the claim's rows as listing items, and what writing them gave. */
struct hand {
	PGresult *claim;
	struct listing_item *items;
	struct listing_result *results;
	int n;
	double claimed_at;
};

static void hand_free(struct hand *h)
{
	free(h->items);
	free(h->results);
	PQclear(h->claim);
	memset(h, 0, sizeof(*h));
}

/* Takes the rows of claim (owned by h from here) in hand; gives them back when it cannot. */
static snap_code take(snap_ctx *ctx, PGresult *claim, double claimed_at, int force_remove,
                      struct hand *h, snap_sync_summary *sum, snap_error *err)
{
	int i;

	h->claim = claim;
	h->claimed_at = claimed_at;
	sum->claimed += h->n = PQntuples(claim);
	if (!h->n)
		return SNAP_OK;
	h->items = calloc((size_t)h->n, sizeof(*h->items));
	h->results = calloc((size_t)h->n, sizeof(*h->results));
	if (!h->items || !h->results) {
		release(ctx, claim);
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	}
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
	return SNAP_OK;
}

/* Sends the claim of the next due batch of want, to be taken with claim_collect; sync-all
 * sends it ahead, so that PostgreSQL claims it while MongoDB writes the batch in hand. */
static snap_code claim_send(snap_ctx *ctx, const char *failed_before, long want, double *sent,
                            snap_error *err)
{
	char limit[24], lease[16];
	const char *params[3] = {limit, lease, failed_before};

	snprintf(limit, sizeof(limit), "%ld", want);
	snprintf(lease, sizeof(lease), "%d", ctx->lease_seconds);
	*sent = now_seconds();
	return pg_send(ctx, "claiming snapshots", SQL_CLAIM_DUE, 3, params, err);
}

static snap_code claim_collect(snap_ctx *ctx, double sent, struct hand *h, snap_sync_summary *sum,
                               snap_error *err)
{
	PGresult *res = NULL;
	snap_code rc = pg_receive(ctx, "claiming snapshots", &res, err);

	return rc == SNAP_OK ? take(ctx, res, sent, 0, h, sum, err) : rc;
}

/* Claims into h, after reaching MongoDB (when it is down, nothing is touched): a batch of want
 * of what is due, or the ids given (all of them, or those due among them). */
static snap_code claim(snap_ctx *ctx, const snap_sync_opts *o, enum mode mode,
                       const char *failed_before, long want, struct hand *h, snap_sync_summary *sum,
                       snap_error *err)
{
	char lease[16];
	const char *params[3] = {NULL, lease, failed_before};
	const struct mongo_ops *ops;
	PGresult *res = NULL;
	double claimed_at;
	void *store;
	snap_code rc;

	if ((rc = listings_open(ctx, &ops, &store, err)) != SNAP_OK)
		return rc;
	if (!o->ids) { /* what is due: the claim sync-all also sends ahead */
		rc = claim_send(ctx, failed_before, want, &claimed_at, err);
		return rc == SNAP_OK ? claim_collect(ctx, claimed_at, h, sum, err) : rc;
	}
	snprintf(lease, sizeof(lease), "%d", ctx->lease_seconds);
	claimed_at = now_seconds();
	rc = pick(ctx, o, "claiming snapshots",
	          mode == DUE_AMONG  ? SQL_CLAIM_IDS_DUE
	          : mode == WITHDRAW ? SQL_CLAIM_WITHDRAW
	                             : SQL_CLAIM_IDS,
	          mode == DUE_AMONG ? 3 : 2, NULL, 0, params, &res, err);
	return rc == SNAP_OK ? take(ctx, res, claimed_at, mode == WITHDRAW, h, sum, err) : rc;
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
	if (written)
		rc = settle(ctx, h->claim, h->items, h->results, force_remove, sum, again, err);
	else
		release(ctx, h->claim);
	hand_free(h);
	return rc;
}

static snap_code dry_run(snap_ctx *ctx, const snap_sync_opts *o, snap_sync_summary *sum,
                         snap_error *err)
{
	char limit[24];
	const char *params[3] = {limit, "0",
	                         (o->flags & SNAP_SYNC_RETRY_FAILED) ? "infinity" : NULL};
	PGresult *res = NULL;
	snap_code rc;

	snprintf(limit, sizeof(limit), "%ld", o->limit > 0 ? o->limit : 2147483647L);
	rc = pick(ctx, o, "counting snapshots", SQL_DRY_RUN_IDS, 1, SQL_DRY_RUN, 3, params, &res,
	          err);
	if (rc == SNAP_OK) {
		sum->published = atol(PQgetvalue(res, 0, 0));
		sum->withdrawn = atol(PQgetvalue(res, 0, 1));
		sum->completed = atol(PQgetvalue(res, 0, 2));
		sum->claimed = sum->published + sum->withdrawn + sum->completed;
	}
	PQclear(res);
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

/* Batches until nothing is due, the limit or the time is reached, or a signal. Sweeping what is
 * due (sync-all), the next batch is claimed while MongoDB writes the one in hand. */
static snap_code run(snap_ctx *ctx, const snap_sync_opts *o, enum mode mode, snap_sync_summary *sum,
                     snap_error *err)
{
	double start = now_seconds(), sent = 0;
	long batch_size = o->batch_size > 0 ? o->batch_size : SNAP_SYNC_BATCH, want = 0, more = 0;
	PGresult *started = NULL;
	const char *failed_before = NULL;
	struct hand cur = {0}, next = {0};
	snap_error ignored;
	snap_code rc = SNAP_OK, rc2;
	int again, written, rounds = 0, ahead;

	memset(sum, 0, sizeof(*sum));
	if (o->flags & SNAP_DRY_RUN)
		rc = dry_run(ctx, o, sum, err);
	else if ((o->flags & SNAP_SYNC_RETRY_FAILED) &&
	         (rc = pg_exec(ctx, "reading the clock", "SELECT now()::text", 0, NULL, &started,
	                       err)) == SNAP_OK)
		failed_before = PQgetvalue(started, 0, 0);
	while (!(o->flags & SNAP_DRY_RUN) && rc == SNAP_OK) {
		if (!cur.claim) {
			rc = next_batch(ctx, o->limit, sum->claimed, batch_size, start,
			                o->max_seconds, &want, err);
			if (rc != SNAP_OK || want == 0 ||
			    (rc = claim(ctx, o, mode, failed_before, want, &cur, sum, err)) !=
			        SNAP_OK)
				break;
		}
		if (cur.n == 0)
			break;
		/* The next claim goes out only when this one was full and more may be taken. */
		ahead = mode == SYNC && !o->ids && cur.n == want &&
		        next_batch(ctx, o->limit, sum->claimed, batch_size, start, o->max_seconds,
		                   &more, &ignored) == SNAP_OK &&
		        more > 0 &&
		        claim_send(ctx, failed_before, more, &sent, &ignored) == SNAP_OK;
		rc = write_hand(ctx, &cur, &written, sum, err);
		if (ahead &&
		    (rc2 = claim_collect(ctx, sent, &next, sum, rc == SNAP_OK ? err : &ignored)) !=
		        SNAP_OK &&
		    rc == SNAP_OK)
			rc = rc2;
		rc2 = settle_hand(ctx, &cur, written, mode == WITHDRAW, sum, &again,
		                  rc == SNAP_OK ? err : &ignored);
		if (rc == SNAP_OK)
			rc = rc2;
		if (next.claim && rc != SNAP_OK) /* the one claimed ahead goes back too */
			settle_hand(ctx, &next, 0, 0, sum, &again, &ignored);
		cur = next;
		memset(&next, 0, sizeof(next));
		want = more;
		/* Ids are one batch, again for those whose listing was ahead (lost history). */
		if (o->ids && (!again || ++rounds >= MAX_ID_ROUNDS))
			break;
		progress(ctx, "claimed", sum->claimed);
	}
	hand_free(&cur);
	sum->duration_ms = (long)((now_seconds() - start) * 1000);
	PQclear(started);
	return rc;
}

snap_code snap_sync(snap_ctx *ctx, const snap_sync_opts *opts, snap_sync_summary *sum,
                    snap_error *err)
{
	snap_code rc;

	memset(sum, 0, sizeof(*sum));
	if (opts->ids && (rc = check_ids(ctx, opts, err)) != SNAP_OK)
		return rc;
	return run(ctx, opts, SYNC, sum, err);
}

snap_code snap_withdraw(snap_ctx *ctx, const char *booking_id, unsigned flags, snap_error *err)
{
	snap_sync_opts o = {0};
	snap_sync_summary sum;
	snap_code rc;

	o.ids = &booking_id;
	o.nids = 1;
	o.flags = flags & SNAP_DRY_RUN;
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
	snap_sync_opts o = {0};
	snap_sync_summary s;
	strbuf arr = {0};
	const char *params[3] = {NULL, NULL, NULL};
	const char *due[SNAP_SYNC_BATCH];
	PGresult *res = NULL;
	snap_code rc;
	int i, m;

	memset(sum, 0, sizeof(*sum));
	o.ids = ids;
	o.nids = n;
	if ((rc = id_array(&o, &arr, err)) != SNAP_OK)
		goto out;
	params[0] = arr.buf;
	/* Usually none is: then MongoDB is not even reached. */
	if ((rc = pg_exec(ctx, "finding due snapshots", SQL_DUE_AMONG, 3, params, &res, err)) !=
	    SNAP_OK)
		goto out;
	for (i = 0; rc == SNAP_OK && i < PQntuples(res); i += m) {
		for (m = 0; m < SNAP_SYNC_BATCH && i + m < PQntuples(res); m++)
			due[m] = PQgetvalue(res, i + m, 0);
		o.ids = due;
		o.nids = (size_t)m;
		o.batch_size = m;
		rc = run(ctx, &o, DUE_AMONG, &s, err);
		sum->claimed += s.claimed;
		sum->published += s.published;
		sum->withdrawn += s.withdrawn;
		sum->completed += s.completed;
		sum->skipped_stale += s.skipped_stale;
		sum->retried += s.retried;
		sum->failed += s.failed;
	}
out:
	PQclear(res);
	sb_free(&arr);
	return rc;
}
