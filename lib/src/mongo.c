/* The listing store over libmongoc: built as the module snapshot-mongo.so, loaded by
 * listings.c on first use. The one place that talks to MongoDB. */
#include <mongoc/mongoc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listing_json.h"
#include "listings.h"

#define COLLECTION "market_listings"

struct store {
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	char *db;
};

static snap_code set_err(snap_error *err, snap_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static snap_code set_err(snap_error *err, snap_code code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
		err->code = code;
		err->remedy = SNAP_REMEDY_NONE;
	}
	return code;
}

/* Unreachable or gone: server selection, the connection itself, or a server shutting down. */
static snap_code classify(const bson_error_t *e)
{
	if (e->domain == MONGOC_ERROR_SERVER_SELECTION || e->domain == MONGOC_ERROR_STREAM ||
	    e->domain == MONGOC_ERROR_CLIENT || e->code == 91 /* ShutdownInProgress */ ||
	    e->code == 11600 /* InterruptedAtShutdown */ ||
	    e->code == 10107 /* NotWritablePrimary */)
		return SNAP_ERR_UNAVAILABLE;
	return SNAP_ERR_INTERNAL;
}

static snap_code fail_mongo(snap_error *err, const char *what, const bson_error_t *e)
{
	snap_code code = classify(e);

	if (code == SNAP_ERR_UNAVAILABLE)
		return set_err(err, code, "%s: cannot reach MongoDB: %s", what, e->message);
	return set_err(err, code, "%s: %s", what, e->message);
}

/* Ends a read: the cursor's error, named by what, if rc is still SNAP_OK; the cursor goes. */
static snap_code cursor_end(mongoc_cursor_t *cur, snap_code rc, const char *what, snap_error *err)
{
	bson_error_t e;

	if (rc == SNAP_OK && mongoc_cursor_error(cur, &e))
		rc = fail_mongo(err, what, &e);
	mongoc_cursor_destroy(cur);
	return rc;
}

/* libmongoc's own warnings (FerretDB lacks endSessions, say) would break the one-line stderr
 * contract; what matters reaches the caller as errors. */
static void quiet(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
	(void)level, (void)domain, (void)message, (void)data;
}

static void store_close(void *h)
{
	struct store *s = h;

	if (!s)
		return;
	mongoc_collection_destroy(s->coll);
	mongoc_client_destroy(s->client);
	free(s->db);
	free(s);
}

static void init_once(void)
{
	static int initialised;

	if (!initialised) {
		mongoc_log_set_handler(quiet, NULL);
		mongoc_init();
		initialised = 1;
	}
}

/* 1 when the URI holds a secret as the driver reads it: a password in the userinfo, a TLS key
 * password, or authMechanismProperties (which carry tokens, e.g. AWS_SESSION_TOKEN). A URI the
 * driver cannot parse may hold one too. */
static int store_uri_secret(const char *text)
{
	mongoc_uri_t *uri;
	const char *pw;
	bson_t props;
	int secret;

	init_once();
	if (!(uri = mongoc_uri_new_with_error(text, NULL)))
		return 1;
	pw = mongoc_uri_get_password(uri);
	secret = (pw && *pw) ||
	         mongoc_uri_get_option_as_utf8(uri, MONGOC_URI_TLSCERTIFICATEKEYFILEPASSWORD,
	                                       NULL) != NULL ||
	         mongoc_uri_get_mechanism_properties(uri, &props);
	mongoc_uri_destroy(uri);
	return secret;
}

static snap_code store_open(void **out, const char *uri_text, const char *db, const char *app,
                            snap_error *err)
{
	struct store *s = calloc(1, sizeof(*s));
	mongoc_uri_t *uri = NULL;
	bson_error_t e;
	bson_t *ping = BCON_NEW("ping", BCON_INT32(1));
	snap_code rc = SNAP_OK;

	*out = NULL;
	init_once();
	if (!s || !(s->db = strdup(db))) {
		rc = set_err(err, SNAP_ERR_INTERNAL, "out of memory");
		goto out;
	}
	/* The message of a parse error may quote the URI, password and all. */
	if (!(uri = mongoc_uri_new_with_error(uri_text, &e))) {
		rc = set_err(err, SNAP_ERR_CONFIG, "malformed MongoDB URI");
		if (err)
			err->remedy = SNAP_REMEDY_MONGO_URI;
		goto out;
	}
	/* Fail fast when MongoDB is down (the default waits 30 s), unless the URI says. */
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 5000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_APPNAME))
		mongoc_uri_set_appname(uri, app);
	if (!(s->client = mongoc_client_new_from_uri_with_error(uri, &e))) {
		rc = set_err(err, SNAP_ERR_CONFIG, "unusable MongoDB URI: %s", e.message);
		goto out;
	}
	mongoc_client_set_error_api(s->client, MONGOC_ERROR_API_VERSION_2);
	s->coll = mongoc_client_get_collection(s->client, s->db, COLLECTION);
	if (!mongoc_client_command_simple(s->client, "admin", ping, NULL, NULL, &e)) {
		rc = fail_mongo(err, "connecting", &e);
		if (rc != SNAP_ERR_UNAVAILABLE)
			rc = set_err(err, SNAP_ERR_UNAVAILABLE, "cannot reach MongoDB: %s",
			             e.message);
		goto out;
	}
out:
	bson_destroy(ping);
	mongoc_uri_destroy(uri);
	if (rc == SNAP_OK)
		*out = s;
	else
		store_close(s);
	return rc;
}

/* Removes every listing of booking id but the newest: highest version, then latest update,
 * then latest _id. */
static snap_code keep_newest(struct store *s, const char *id, snap_error *err)
{
	bson_t *filter = BCON_NEW("booking_id", BCON_UTF8(id));
	bson_t *opts = BCON_NEW("sort", "{", "snapshot_version", BCON_INT32(-1), "updated_at",
	                        BCON_INT32(-1), "_id", BCON_INT32(-1), "}", "skip", BCON_INT64(1),
	                        "projection", "{", "_id", BCON_INT32(1), "}");
	mongoc_cursor_t *old = mongoc_collection_find_with_opts(s->coll, filter, opts, NULL);
	const bson_t *o;
	snap_code rc = SNAP_OK;

	while (rc == SNAP_OK && mongoc_cursor_next(old, &o)) {
		bson_iter_t oid;
		bson_t del = BSON_INITIALIZER;
		bson_error_t e;

		if (bson_iter_init_find(&oid, o, "_id"))
			bson_append_iter(&del, "_id", -1, &oid);
		if (!mongoc_collection_delete_one(s->coll, &del, NULL, NULL, &e))
			rc = fail_mongo(err, "removing a duplicate listing", &e);
		bson_destroy(&del);
	}
	rc = cursor_end(old, rc, "reading duplicate listings", err);
	bson_destroy(filter);
	bson_destroy(opts);
	return rc;
}

static snap_code store_duplicates(void *h, int fix, void (*fn)(const char *, long, void *),
                                  void *data, long *found, snap_error *err)
{
	struct store *s = h;
	bson_t *pipeline =
	    BCON_NEW("pipeline", "[", "{", "$group", "{", "_id", BCON_UTF8("$booking_id"), "n", "{",
	             "$sum", BCON_INT32(1), "}", "}", "}", "{", "$match", "{", "n", "{", "$gt",
	             BCON_INT32(1), "}", "}", "}", "]");
	mongoc_cursor_t *cur =
	    mongoc_collection_aggregate(s->coll, MONGOC_QUERY_NONE, pipeline, NULL, NULL);
	const bson_t *doc;
	bson_iter_t it;
	snap_code rc = SNAP_OK;

	*found = 0;
	while (rc == SNAP_OK && mongoc_cursor_next(cur, &doc)) {
		char id[64] = "";
		long n = 0;

		if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it))
			snprintf(id, sizeof(id), "%s", bson_iter_utf8(&it, NULL));
		if (bson_iter_init_find(&it, doc, "n"))
			n = (long)bson_iter_as_int64(&it);
		(*found)++;
		if (fn)
			fn(id, n, data);
		if (fix)
			rc = keep_newest(s, id, err);
	}
	rc = cursor_end(cur, rc, "looking for duplicate listings", err);
	bson_destroy(pipeline);
	return rc;
}

static int64_t reply_count(const bson_t *reply, const char *field)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, reply, field) ? bson_iter_as_int64(&it) : 0;
}

static snap_code store_indexes(void *h, int check, void (*fn)(const char *, const char *, void *),
                               void *data, snap_error *err)
{
	static const struct {
		const char *name, *field, *keys;
		int unique;
	} wanted[] = {
	    {"booking_id_1", "booking_id", "{booking_id: 1}, unique", 1},
	    /* Market Connect lists a farmer's produce. */
	    {"farmer_id_1", "farmer_id", "{farmer_id: 1}", 0},
	};
	struct store *s = h;
	mongoc_cursor_t *cur = mongoc_collection_find_indexes_with_opts(s->coll, NULL);
	const bson_t *doc;
	bson_error_t e;
	bson_iter_t it;
	int have[2] = {0, 0};
	size_t i;
	snap_code rc = SNAP_OK;

	while (mongoc_cursor_next(cur, &doc))
		for (i = 0; i < 2; i++)
			if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it) &&
			    !strcmp(bson_iter_utf8(&it, NULL), wanted[i].name))
				have[i] = 1;
	/* A collection that does not exist yet has no indexes; that is no error. */
	if (mongoc_cursor_error(cur, &e) && e.code != 26 /* NamespaceNotFound */)
		rc = fail_mongo(err, "listing the listing indexes", &e);
	mongoc_cursor_destroy(cur);
	for (i = 0; rc == SNAP_OK && i < 2; i++) {
		bson_t *cmd, reply;

		if (have[i])
			continue;
		if (check) {
			if (fn)
				fn(wanted[i].name, wanted[i].keys, data);
			continue;
		}
		cmd = BCON_NEW("createIndexes", BCON_UTF8(COLLECTION), "indexes", "[", "{", "key",
		               "{", wanted[i].field, BCON_INT32(1), "}", "name",
		               BCON_UTF8(wanted[i].name), "unique", BCON_BOOL(wanted[i].unique),
		               "}", "]");
		if (!mongoc_collection_write_command_with_opts(s->coll, cmd, NULL, &reply, &e))
			rc = fail_mongo(err, "creating the listing indexes", &e);
		/* A concurrent init-db may have created it first: report only what this run
		 * added. */
		else if (fn && reply_count(&reply, "numIndexesAfter") >
		                   reply_count(&reply, "numIndexesBefore"))
			fn(wanted[i].name, wanted[i].keys, data);
		bson_destroy(&reply);
		bson_destroy(cmd);
	}
	return rc;
}

static void oid_hex(const bson_iter_t *it, char *out)
{
	out[0] = '\0';
	if (BSON_ITER_HOLDS_OID(it))
		bson_oid_to_string(bson_iter_oid(it), out);
}

/* The guard of a write at version v: matches a listing older than v, or one without a
 * version (written by the earlier system). */
static void append_guard(bson_t *filter, const char *op, int64_t v)
{
	bson_t guard, not ;

	BSON_APPEND_DOCUMENT_BEGIN(filter, "snapshot_version", &guard);
	BSON_APPEND_DOCUMENT_BEGIN(&guard, "$not", &not );
	BSON_APPEND_INT64(&not, op, v);
	bson_append_document_end(&guard, &not );
	bson_append_document_end(filter, &guard);
}

/* filter.booking_id = {$in: ids[0..n)} */
static void append_in(bson_t *filter, const char *const *ids, size_t n)
{
	bson_t in, arr;
	char key[16];
	const char *k;
	size_t i;

	BSON_APPEND_DOCUMENT_BEGIN(filter, "booking_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
	for (i = 0; i < n; i++) {
		bson_uint32_to_string((uint32_t)i, &k, key, sizeof(key));
		bson_append_utf8(&arr, k, -1, ids[i], -1);
	}
	bson_append_array_end(&in, &arr);
	bson_append_document_end(filter, &in);
}

/* Reads the listings of the items in mask: seen[i] and out[i]'s version and _id for each found. */
static snap_code read_listings(struct store *s, const struct listing_item *items, size_t n,
                               const char *mask, struct listing_result *out, char *seen,
                               snap_error *err)
{
	bson_t filter = BSON_INITIALIZER;
	bson_t *opts = BCON_NEW("projection", "{", "booking_id", BCON_INT32(1), "snapshot_version",
	                        BCON_INT32(1), "}");
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	mongoc_cursor_t *cur;
	const bson_t *doc;
	size_t i, k = 0;
	snap_code rc;

	if (!ids) {
		bson_destroy(opts);
		return set_err(err, SNAP_ERR_INTERNAL, "out of memory");
	}
	for (i = 0; i < n; i++)
		if (mask[i])
			ids[k++] = items[i].booking_id;
	append_in(&filter, ids, k);
	free(ids);
	cur = mongoc_collection_find_with_opts(s->coll, &filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		const char *b;

		if (!bson_iter_init_find(&it, doc, "booking_id") || !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		b = bson_iter_utf8(&it, NULL);
		for (i = 0; i < n; i++) {
			if (!mask[i] || strcmp(items[i].booking_id, b) != 0)
				continue;
			seen[i] = 1;
			out[i].found_version = bson_iter_init_find(&it, doc, "snapshot_version")
			                           ? bson_iter_as_int64(&it)
			                           : 0;
			if (bson_iter_init_find(&it, doc, "_id"))
				oid_hex(&it, out[i].listing_id);
		}
	}
	rc = cursor_end(cur, SNAP_OK, "reading listings back", err);
	bson_destroy(&filter);
	bson_destroy(opts);
	return rc;
}

/* Reads back the listings of the items in mask and decides each from what is there: the
 * truth whatever a bulk reply said (FerretDB misreports unordered bulk errors). A publication
 * that found an older listing under another _id (the earlier system's) gets adopt[i] set. */
static snap_code read_back(struct store *s, const struct listing_item *items, size_t n,
                           const char *mask, struct listing_result *out, char *adopt,
                           snap_error *err)
{
	char *seen = calloc(n ? n : 1, 1);
	size_t i;
	snap_code rc;

	if (!seen)
		return set_err(err, SNAP_ERR_INTERNAL, "out of memory");
	rc = read_listings(s, items, n, mask, out, seen, err);
	for (i = 0; rc == SNAP_OK && i < n; i++) {
		const struct listing_item *it = &items[i];
		int64_t found = out[i].found_version;
		enum listing_outcome o;

		if (!mask[i])
			continue;
		if (!seen[i])
			o = it->remove ? LISTING_WRITTEN : LISTING_RETRY;
		else if (found > it->version || (found == it->version && !it->remove))
			o = found == it->version ? LISTING_WRITTEN : LISTING_NEWER;
		else
			o = LISTING_RETRY;
		if (o == LISTING_RETRY && seen[i] && !it->remove && adopt &&
		    strcmp(out[i].listing_id, it->listing_id) != 0)
			adopt[i] = 1;
		/* A refusal the server gave for this very item stands. */
		if (o == LISTING_RETRY && out[i].outcome == LISTING_REJECTED)
			o = LISTING_REJECTED;
		out[i].outcome = o;
		if (o == LISTING_RETRY && !out[i].error[0])
			snprintf(out[i].error, sizeof(out[i].error), "%s",
			         it->remove ? "listing still there" : "listing not written");
		if (it->remove)
			out[i].listing_id[0] = '\0';
	}
	free(seen);
	return rc;
}

/* Notes the bulk reply's per-item errors; returns how many there were. idx maps the bulk's
 * indexes to the items'. */
static int note_errors(const bson_t *reply, struct listing_result *out, const size_t *idx, size_t m)
{
	bson_iter_t it, arr, item;
	int count = bson_has_field(reply, "writeConcernErrors");

	if (!bson_iter_init_find(&it, reply, "writeErrors") || !bson_iter_recurse(&it, &arr))
		return count;
	while (bson_iter_next(&arr)) {
		int64_t index = -1, code = 0;
		const char *msg = "";

		count++;
		if (!bson_iter_recurse(&arr, &item))
			continue;
		while (bson_iter_next(&item)) {
			if (!strcmp(bson_iter_key(&item), "index"))
				index = bson_iter_as_int64(&item);
			else if (!strcmp(bson_iter_key(&item), "code"))
				code = bson_iter_as_int64(&item);
			else if (!strcmp(bson_iter_key(&item), "errmsg") &&
			         BSON_ITER_HOLDS_UTF8(&item))
				msg = bson_iter_utf8(&item, NULL);
		}
		if (index < 0 || (size_t)index >= m)
			continue;
		/* A duplicate key is the version guard at work; the read back settles it. */
		if (code != 11000)
			out[idx[index]].outcome = LISTING_REJECTED;
		snprintf(out[idx[index]].error, sizeof(out[idx[index]].error),
		         "MongoDB error %lld: %s", (long long)code, msg);
	}
	return count;
}

/* A publication's $set (with its snapshot_version) and $setOnInsert as BSON. */
struct docs {
	bson_t set, ins;
};

static int convert(const struct listing_item *item, struct docs *d, bson_error_t *e)
{
	if (!listing_json_to_bson(&d->set, item->set_json, e))
		return 0;
	BSON_APPEND_INT64(&d->set, "snapshot_version", item->version);
	if (!listing_json_to_bson(&d->ins, item->insert_json, e)) {
		bson_destroy(&d->set);
		return 0;
	}
	return 1;
}

static void store_prepare(struct listing_item *items, size_t n)
{
	bson_error_t e;
	struct docs *d;
	size_t i;

	for (i = 0; i < n; i++) {
		/* bson_t asks for 128-byte alignment, more than malloc gives */
		if (items[i].remove || items[i].prepared ||
		    !(d = aligned_alloc(_Alignof(struct docs), sizeof(*d))))
			continue;
		if (convert(&items[i], d, &e))
			items[i].prepared = d;
		else
			free(d);
	}
}

static void store_unprepare(struct listing_item *items, size_t n)
{
	struct docs *d;
	size_t i;

	for (i = 0; i < n; i++)
		if ((d = items[i].prepared) != NULL) {
			bson_destroy(&d->set);
			bson_destroy(&d->ins);
			free(d);
			items[i].prepared = NULL;
		}
}

/* Adds item's write to bulk: a guarded upsert by _id, a guarded update of the listing found
 * under another _id (adopting), or a guarded removal. 0 with *e set when the item's own data
 * cannot be written (not the bulk's fault). */
static int add_write(mongoc_bulk_operation_t *bulk, const struct listing_item *item, int adopting,
                     bson_error_t *e)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, opts;
	const struct docs *d = item->prepared;
	struct docs mine;
	bson_oid_t oid;
	int ok;

	if (item->remove || adopting) {
		BSON_APPEND_UTF8(&filter, "booking_id", item->booking_id);
	} else if (bson_oid_is_valid(item->listing_id, strlen(item->listing_id))) {
		bson_oid_init_from_string(&oid, item->listing_id);
		BSON_APPEND_OID(&filter, "_id", &oid);
	} else {
		bson_set_error(e, 0, 0, "listing id '%.30s' is not an ObjectId", item->listing_id);
		return 0;
	}
	append_guard(&filter, item->remove ? "$gt" : "$gte", item->version);
	if (item->remove) {
		ok = mongoc_bulk_operation_remove_many_with_opts(bulk, &filter, NULL, e);
		bson_destroy(&filter);
		return ok;
	}
	if (!d && !convert(item, &mine, e)) {
		bson_destroy(&filter);
		return 0;
	}
	BSON_APPEND_DOCUMENT(&update, "$set", d ? &d->set : &mine.set);
	BSON_APPEND_DOCUMENT(&update, "$setOnInsert", d ? &d->ins : &mine.ins);
	bson_init(&opts);
	BSON_APPEND_BOOL(&opts, "upsert", !adopting);
	ok = mongoc_bulk_operation_update_one_with_opts(bulk, &filter, &update, &opts, e);
	bson_destroy(&opts);
	if (!d) {
		bson_destroy(&mine.set);
		bson_destroy(&mine.ins);
	}
	bson_destroy(&update);
	bson_destroy(&filter);
	return ok;
}

/* Adds the writes of the items in mask to bulk, idx[k] the item of the bulk's kth write; an
 * item whose data cannot become a listing fails alone. Returns how many were added, counting
 * the publications in *publishing. */
static size_t add_writes(mongoc_bulk_operation_t *bulk, const struct listing_item *items, size_t n,
                         const char *mask, int adopting, struct listing_result *out, size_t *idx,
                         int64_t *publishing)
{
	bson_error_t e;
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (!mask[i])
			continue;
		out[i].outcome = LISTING_RETRY;
		out[i].error[0] = '\0';
		if (!add_write(bulk, &items[i], adopting, &e)) {
			out[i].outcome = LISTING_REJECTED;
			snprintf(out[i].error, sizeof(out[i].error),
			         "cannot convert the listing: %.120s", e.message);
			continue;
		}
		*publishing += !items[i].remove;
		idx[m++] = i;
	}
	return m;
}

/* One unordered bulk write of the items in mask; then, unless the reply is clean, a read back
 * of them. adopt (may be NULL) as for read_back. */
static snap_code write_pass(struct store *s, const struct listing_item *items, size_t n,
                            const char *mask, int adopting, struct listing_result *out, char *adopt,
                            snap_error *err)
{
	bson_t *bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
	mongoc_bulk_operation_t *bulk =
	    mongoc_collection_create_bulk_operation_with_opts(s->coll, bulk_opts);
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), i, m = 0;
	int64_t publishing = 0;
	bson_t reply = BSON_INITIALIZER;
	bson_error_t e;
	snap_code rc = SNAP_OK;

	if (!idx)
		rc = set_err(err, SNAP_ERR_INTERNAL, "out of memory");
	else
		m = add_writes(bulk, items, n, mask, adopting, out, idx, &publishing);
	if (rc == SNAP_OK && m) {
		int ok = mongoc_bulk_operation_execute(bulk, &reply, &e);
		/* libmongoc may fail a bulk with an empty writeErrors (a document too large) */
		int noted = note_errors(&reply, out, idx, m);

		if (!ok && !noted && classify(&e) == SNAP_ERR_UNAVAILABLE) {
			rc = fail_mongo(err, "writing listings", &e);
		} else if (noted || !ok || adopting ||
		           reply_count(&reply, "nMatched") + reply_count(&reply, "nUpserted") <
		               publishing) {
			/* An adopting update may have matched nothing: always read back. So too
			 * when a clean reply accounts for fewer publications than were sent. A
			 * failure named by no item is every unwritten item's error until a
			 * smaller write tells them apart (see isolate). */
			for (i = 0; !ok && !noted && i < m; i++)
				snprintf(out[idx[i]].error, sizeof(out[idx[i]].error),
				         "MongoDB: %.140s", e.message);
			rc = read_back(s, items, n, mask, out, adopt, err);
		} else {
			for (i = 0; i < m; i++) {
				struct listing_result *r = &out[idx[i]];

				r->outcome = LISTING_WRITTEN;
				r->found_version = items[idx[i]].version;
				snprintf(r->listing_id, sizeof(r->listing_id), "%s",
				         items[idx[i]].remove ? "" : items[idx[i]].listing_id);
			}
		}
	}
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	bson_destroy(bulk_opts);
	free(idx);
	return rc;
}

/* Whether item i is left to retry and not waiting to adopt an older listing. */
static int unwritten(const struct listing_result *out, const char *adopt, size_t i)
{
	return (out[i].outcome == LISTING_RETRY || out[i].outcome == LISTING_REJECTED) && !adopt[i];
}

/* A bulk write that failed somewhere may leave items unwritten for no fault of their own:
 * FerretDB stops an unordered bulk write at its first error, or blames the wrong item. The
 * unwritten items of [lo, hi) go again in halves, down to single items, so a document the
 * server refuses costs its neighbours nothing and its error is its own. Only failing batches
 * pay: at most two writes per level of halving for each refused document. */
static snap_code isolate(struct store *s, const struct listing_item *items, size_t n, size_t lo,
                         size_t hi, char *mask, struct listing_result *out, char *adopt,
                         snap_error *err)
{
	size_t i, mid = lo + (hi - lo) / 2, half[2][2] = {{lo, mid}, {mid, hi}};
	int h, left;
	snap_code rc = SNAP_OK;

	if (hi - lo < 2)
		return SNAP_OK;
	for (h = 0; rc == SNAP_OK && h < 2; h++) {
		left = 0;
		memset(mask, 0, n);
		for (i = half[h][0]; i < half[h][1]; i++)
			left += mask[i] = (char)unwritten(out, adopt, i);
		if (!left)
			continue;
		rc = write_pass(s, items, n, mask, 0, out, adopt, err);
		for (i = half[h][0], left = 0; rc == SNAP_OK && i < half[h][1]; i++)
			left += unwritten(out, adopt, i);
		if (rc == SNAP_OK && left)
			rc = isolate(s, items, n, half[h][0], half[h][1], mask, out, adopt, err);
	}
	return rc;
}

static snap_code store_write(void *h, const struct listing_item *items, size_t n,
                             struct listing_result *out, snap_error *err)
{
	struct store *s = h;
	char *all = malloc(n ? n : 1), *adopt = calloc(n ? n : 1, 1);
	size_t i;
	int adopting = 0;
	snap_code rc;

	memset(out, 0, n * sizeof(*out));
	if (!all || !adopt) {
		free(all);
		free(adopt);
		return set_err(err, SNAP_ERR_INTERNAL, "out of memory");
	}
	memset(all, 1, n);
	rc = write_pass(s, items, n, all, 0, out, adopt, err);
	for (i = 0; rc == SNAP_OK && i < n && !unwritten(out, adopt, i); i++)
		;
	if (rc == SNAP_OK && i < n)
		rc = isolate(s, items, n, 0, n, all, out, adopt, err);
	for (i = 0; i < n; i++)
		adopting |= adopt[i];
	/* An older listing under another _id: update that one, under the same guard. */
	if (rc == SNAP_OK && adopting)
		rc = write_pass(s, items, n, adopt, 1, out, NULL, err);
	free(all);
	free(adopt);
	return rc;
}

static snap_code store_get(void *h, const char *booking_id, char **json, snap_error *err)
{
	struct store *s = h;
	bson_t *filter = BCON_NEW("booking_id", BCON_UTF8(booking_id));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(s->coll, filter, NULL, NULL);
	const bson_t *doc;
	snap_code rc = SNAP_OK;

	*json = NULL;
	if (mongoc_cursor_next(cur, &doc)) {
		char *j = listing_bson_to_json(doc);

		if (!j || !(*json = strdup(j)))
			rc = set_err(err, SNAP_ERR_INTERNAL, "out of memory");
		bson_free(j);
	}
	rc = cursor_end(cur, rc, "reading the listing", err);
	bson_destroy(filter);
	return rc;
}

static void free_ids(char **ids, size_t *n)
{
	while (*n)
		free(ids[--*n]);
}

static snap_code store_booking_ids(void *h, snap_code (*fn)(const char *const *, size_t, void *),
                                   void *data, snap_error *err)
{
	enum { CHUNK = 500 };
	struct store *s = h;
	bson_t filter = BSON_INITIALIZER;
	bson_t *opts = BCON_NEW("projection", "{", "booking_id", BCON_INT32(1), "_id",
	                        BCON_INT32(0), "}", "batchSize", BCON_INT32(CHUNK));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(s->coll, &filter, opts, NULL);
	char *ids[CHUNK];
	const bson_t *doc;
	size_t n = 0;
	snap_code rc = SNAP_OK;

	while (rc == SNAP_OK && mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;

		if (!bson_iter_init_find(&it, doc, "booking_id") || !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		if (!(ids[n] = strdup(bson_iter_utf8(&it, NULL))))
			rc = set_err(err, SNAP_ERR_INTERNAL, "out of memory");
		else if (++n == CHUNK) {
			rc = fn((const char *const *)ids, n, data);
			free_ids(ids, &n);
		}
	}
	rc = cursor_end(cur, rc, "reading listings", err);
	if (rc == SNAP_OK && n)
		rc = fn((const char *const *)ids, n, data);
	free_ids(ids, &n);
	bson_destroy(opts);
	bson_destroy(&filter);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcasecmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* Sets found[i] when ids[i] has a listing: one find of their booking ids, projected to the
 * field (on MongoDB a covered scan of the booking_id index). Many ids are asked for as the
 * range they span (reconcile's batches are ranges): MongoDB scans the index range either way,
 * while servers without its planner match each listing against every id of an $in
 * (mongo-java-server: minutes a batch at 200,000 listings). A count first would save the
 * transfer when all are there, but those servers count by reading every listing. */
enum { MAX_IN = 1000 };
static snap_code store_present(void *h, const char *const *ids, size_t n, unsigned char *found,
                               snap_error *err)
{
	struct store *s = h;
	bson_t filter = BSON_INITIALIZER;
	bson_t *opts;
	const char *const **sorted, *const **hit, *key;
	const char *const *pkey = &key;
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_iter_t it;
	snap_code rc;
	size_t i;

	memset(found, 0, n);
	if (!(sorted = malloc((n ? n : 1) * sizeof(*sorted))))
		return set_err(err, SNAP_ERR_INTERNAL, "out of memory");
	for (i = 0; i < n; i++)
		sorted[i] = &ids[i];
	qsort(sorted, n, sizeof(*sorted), by_id);
	if (n <= MAX_IN)
		append_in(&filter, ids, n);
	else
		BCON_APPEND(&filter, "booking_id", "{", "$gte", BCON_UTF8(*sorted[0]), "$lte",
		            BCON_UTF8(*sorted[n - 1]), "}");
	opts = BCON_NEW("projection", "{", "booking_id", BCON_INT32(1), "_id", BCON_INT32(0), "}",
	                "batchSize", BCON_INT32(1000));
	cur = mongoc_collection_find_with_opts(s->coll, &filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		if (!bson_iter_init_find(&it, doc, "booking_id") || !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		key = bson_iter_utf8(&it, NULL);
		if ((hit = bsearch(&pkey, sorted, n, sizeof(*sorted), by_id)) != NULL)
			found[*hit - ids] = 1;
	}
	rc = cursor_end(cur, SNAP_OK, "reading listings", err);
	bson_destroy(opts);
	bson_destroy(&filter);
	free(sorted);
	return rc;
}

static snap_code store_scan(void *h, const char *const *ids, size_t n,
                            snap_code (*fn)(const char *, int64_t, const void *, void *),
                            void *data, snap_error *err)
{
	struct store *s = h;
	bson_t filter = BSON_INITIALIZER;
	/* Batches of a size MongoDB would choose itself: some servers (mongo-java-server) send
	 * the whole collection in one reply otherwise, past the 48 MB a message may hold. */
	bson_t *opts =
	    BCON_NEW("sort", "{", "booking_id", BCON_INT32(1), "}", "batchSize", BCON_INT32(1000));
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_iter_t it;
	snap_code rc = SNAP_OK;

	if (ids)
		append_in(&filter, ids, n);
	cur = mongoc_collection_find_with_opts(s->coll, &filter, opts, NULL);
	while (rc == SNAP_OK && mongoc_cursor_next(cur, &doc)) {
		const char *booking = "";
		int64_t version = -1;

		if (bson_iter_init_find(&it, doc, "booking_id") && BSON_ITER_HOLDS_UTF8(&it))
			booking = bson_iter_utf8(&it, NULL);
		if (bson_iter_init_find(&it, doc, "snapshot_version") &&
		    BSON_ITER_HOLDS_NUMBER(&it))
			version = bson_iter_as_int64(&it);
		rc = fn(booking, version, doc, data);
	}
	rc = cursor_end(cur, rc, "reading listings", err);
	bson_destroy(opts);
	bson_destroy(&filter);
	return rc;
}

static int same_doc(const bson_t *want, const bson_t *have, int top);

static int is_number(bson_type_t t)
{
	return t == BSON_TYPE_INT32 || t == BSON_TYPE_INT64 || t == BSON_TYPE_DOUBLE;
}

/* The same value, numbers by value (a server may store 5 as int32 or int64), NaN as NaN. */
static int same_value(const bson_iter_t *a, const bson_iter_t *b)
{
	bson_type_t ta = bson_iter_type(a), tb = bson_iter_type(b);
	const uint8_t *da, *db;
	uint32_t la, lb;
	bson_t sa, sb;

	if (is_number(ta) && is_number(tb)) {
		if (ta != BSON_TYPE_DOUBLE && tb != BSON_TYPE_DOUBLE)
			return bson_iter_as_int64(a) == bson_iter_as_int64(b);
		return bson_iter_as_double(a) == bson_iter_as_double(b) ||
		       (bson_iter_as_double(a) != bson_iter_as_double(a) &&
		        bson_iter_as_double(b) != bson_iter_as_double(b));
	}
	if (ta != tb)
		return 0;
	switch (ta) {
	case BSON_TYPE_UTF8:
		da = (const uint8_t *)bson_iter_utf8(a, &la);
		db = (const uint8_t *)bson_iter_utf8(b, &lb);
		return la == lb && !memcmp(da, db, la);
	case BSON_TYPE_BOOL:
		return bson_iter_bool(a) == bson_iter_bool(b);
	case BSON_TYPE_NULL:
		return 1;
	case BSON_TYPE_DATE_TIME:
		return bson_iter_date_time(a) == bson_iter_date_time(b);
	case BSON_TYPE_OID:
		return bson_oid_equal(bson_iter_oid(a), bson_iter_oid(b));
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		if (ta == BSON_TYPE_DOCUMENT) {
			bson_iter_document(a, &la, &da);
			bson_iter_document(b, &lb, &db);
		} else {
			bson_iter_array(a, &la, &da);
			bson_iter_array(b, &lb, &db);
		}
		if (!bson_init_static(&sa, da, la) || !bson_init_static(&sb, db, lb))
			return 0;
		return same_doc(&sa, &sb, 0);
	default:
		return 0;
	}
}

/* Top-level fields a publication does not compare: its identity and its times. */
static int bookkeeping(const char *key)
{
	return !strcmp(key, "_id") || !strcmp(key, "snapshot_version") ||
	       !strcmp(key, "published_at") || !strcmp(key, "updated_at");
}

/* Every field of want in have with the same value, and no other in have. Arrays are documents
 * keyed "0", "1"...: the same comparison keeps their order. */
static int same_doc(const bson_t *want, const bson_t *have, int top)
{
	bson_iter_t w, h;
	uint32_t nw = 0, nh = 0;

	if (!bson_iter_init(&w, want) || !bson_iter_init(&h, have))
		return 0;
	while (bson_iter_next(&w)) {
		bson_iter_t f;

		if (top && bookkeeping(bson_iter_key(&w)))
			continue;
		nw++;
		if (!bson_iter_init_find(&f, have, bson_iter_key(&w)) || !same_value(&w, &f))
			return 0;
	}
	while (bson_iter_next(&h))
		nh += !(top && bookkeeping(bson_iter_key(&h)));
	return nw == nh;
}

static int store_same(const void *doc, const char *json)
{
	char *wide = listing_json_widen(json);
	bson_error_t e;
	bson_t want;
	int same;

	if (!wide)
		return -1;
	if (!listing_json_to_bson(&want, wide, &e)) {
		free(wide);
		return -1;
	}
	same = same_doc(&want, doc, 1);
	bson_destroy(&want);
	free(wide);
	return same;
}

__attribute__((visibility("default"))) const struct mongo_ops snap_mongo_ops = {
    SNAP_MONGO_ABI, store_open,      store_close, store_duplicates, store_indexes,
    store_prepare,  store_unprepare, store_write, store_get,        store_booking_ids,
    store_present,  store_scan,      store_same,  store_uri_secret,
};
