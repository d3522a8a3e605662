/* Listings for the benchmarks, on the libpq settings of the environment and SNAPCTL_MONGO_URI /
 * SNAPCTL_MONGO_DB:
 *   bench_listings load      inserts the listing of every published snapshot as sync-all would
 *                            have written it (same fields, _id, snapshot_version), in bulks of
 *                            1,000 plain inserts: linear on any server, where sync-all's
 *                            filtered upserts are quadratic on FerretDB
 *   bench_listings stream N  the floor of verify: streams the same snapshot columns in keyset
 *                            pages of N and every listing in booking_id order, comparing
 *                            nothing; prints the two counts */
#include <libpq-fe.h>
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listing_json.h"

#define ZERO "00000000-0000-0000-0000-000000000000"

/* What verify reads (lib/sql/verify_rows.sql, embedded in the library's sql.c): the listings
 * loaded are what it compares with, and streaming it is its floor. */
extern const char snap_sql_verify_rows[];

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "bench_listings: %s: %s\n", what, msg);
	return 1;
}

static PGresult *page(PGconn *pg, const char *after, const char *limit)
{
	const char *params[3] = {after, limit, NULL};
	PGresult *res = PQexecParams(pg, snap_sql_verify_rows, 3, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail("PostgreSQL", PQerrorMessage(pg));
		PQclear(res);
		return NULL;
	}
	return res;
}

static int load(PGconn *pg, mongoc_collection_t *coll)
{
	char after[37] = ZERO;
	PGresult *res;
	bson_error_t e;
	int i, n, m;

	while ((res = page(pg, after, "5000")) && (n = PQntuples(res)) > 0) {
		mongoc_bulk_operation_t *bulk =
		    mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
		bson_t reply;

		for (i = m = 0; i < n; i++) {
			char *json;
			bson_oid_t oid;
			bson_t doc;

			if (strcmp(PQgetvalue(res, i, 1), "published") != 0)
				continue;
			json = listing_json_widen(PQgetvalue(res, i, 4));
			if (!json || !listing_json_to_bson(&doc, json, &e))
				return fail("listing JSON", json ? e.message : "out of memory");
			bson_oid_init_from_string(&oid, PQgetvalue(res, i, 5));
			BSON_APPEND_OID(&doc, "_id", &oid);
			BSON_APPEND_INT64(&doc, "snapshot_version",
			                  strtoll(PQgetvalue(res, i, 2), NULL, 10));
			BSON_APPEND_DATE_TIME(&doc, "published_at", 0);
			BSON_APPEND_DATE_TIME(&doc, "updated_at", 0);
			mongoc_bulk_operation_insert(bulk, &doc);
			bson_destroy(&doc);
			free(json);
			m++;
		}
		if (m && !mongoc_bulk_operation_execute(bulk, &reply, &e))
			return fail("MongoDB", e.message);
		if (m)
			bson_destroy(&reply);
		mongoc_bulk_operation_destroy(bulk);
		snprintf(after, sizeof(after), "%s", PQgetvalue(res, n - 1, 0));
		PQclear(res);
	}
	PQclear(res);
	return res ? 0 : 1;
}

static int stream(PGconn *pg, mongoc_collection_t *coll, const char *limit)
{
	bson_t filter = BSON_INITIALIZER;
	bson_t *opts = BCON_NEW("sort", "{", "booking_id", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
	char after[37] = ZERO;
	long snapshots = 0, listings = 0;
	const bson_t *doc;
	PGresult *res;
	bson_error_t e;
	int n, more = 1;

	/* Both streams, alternately a page and as many listings, as a merge would read them. */
	while ((res = page(pg, after, limit)) && (n = PQntuples(res)) > 0) {
		snapshots += n;
		snprintf(after, sizeof(after), "%s", PQgetvalue(res, n - 1, 0));
		PQclear(res);
		while (more && listings < snapshots && (more = mongoc_cursor_next(cur, &doc)))
			listings++;
	}
	PQclear(res);
	while (more && (more = mongoc_cursor_next(cur, &doc)))
		listings++;
	if (mongoc_cursor_error(cur, &e))
		return fail("MongoDB", e.message);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	printf("%ld snapshots, %ld listings\n", snapshots, listings);
	return 0;
}

int main(int argc, char **argv)
{
	const char *uri = getenv("SNAPCTL_MONGO_URI"), *db = getenv("SNAPCTL_MONGO_DB");
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	PGconn *pg;
	int rc;

	if (argc < 2 || !uri || !db || (strcmp(argv[1], "load") && argc != 3)) {
		fprintf(stderr, "usage: bench_listings load | stream N\n");
		return 64;
	}
	pg = PQconnectdb("");
	if (PQstatus(pg) != CONNECTION_OK)
		return fail("PostgreSQL", PQerrorMessage(pg));
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL); /* FerretDB lacks endSessions: libmongoc warns */
	client = mongoc_client_new(uri);
	coll = mongoc_client_get_collection(client, db, "market_listings");
	rc = !strcmp(argv[1], "load") ? load(pg, coll) : stream(pg, coll, argv[2]);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	PQfinish(pg);
	return rc;
}
