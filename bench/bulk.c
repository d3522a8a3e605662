/* The floor for sync-all: what a minimal libmongoc program does to put the same listings in
 * MongoDB. `dump` writes a collection's documents, one canonical Extended JSON document per
 * line; `load` upserts such documents by booking_id in unordered bulks of BATCH, as the
 * documents' whole content ($set), and prints nothing unless a write fails; `drop` drops the
 * collection; `since` prints how many documents have an updated_at after MILLIS (ms since the
 * epoch): those written since then.
 * Usage: bench_bulk dump URI DB COLL >FILE
 *        bench_bulk load URI DB COLL BATCH <FILE
 *        bench_bulk drop URI DB COLL
 *        bench_bulk since URI DB COLL MILLIS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

static int dump(mongoc_collection_t *coll)
{
	bson_t filter = BSON_INITIALIZER;
	/* mongo-java-server answers a find without batchSize with every document at once */
	bson_t *opts = BCON_NEW("batchSize", BCON_INT32(1000));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
	const bson_t *doc;
	bson_error_t e;
	int rc = 0;

	while (mongoc_cursor_next(cur, &doc)) {
		char *json = bson_as_canonical_extended_json(doc, NULL);

		puts(json);
		bson_free(json);
	}
	if (mongoc_cursor_error(cur, &e)) {
		fprintf(stderr, "bench_bulk: %s\n", e.message);
		rc = 1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	return rc;
}

static int execute(mongoc_bulk_operation_t *bulk)
{
	bson_t reply;
	bson_error_t e;
	int ok = mongoc_bulk_operation_execute(bulk, &reply, &e);

	if (!ok)
		fprintf(stderr, "bench_bulk: %s\n", e.message);
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	return ok;
}

static int load(mongoc_collection_t *coll, long batch)
{
	bson_t *bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
	bson_t *upsert = BCON_NEW("upsert", BCON_BOOL(true));
	mongoc_bulk_operation_t *bulk = NULL;
	static char line[1 << 20];
	long n = 0;
	int ok = 1;

	while (ok && fgets(line, sizeof(line), stdin)) {
		bson_error_t e;
		bson_t *doc = bson_new_from_json((const uint8_t *)line, -1, &e);
		bson_t set = BSON_INITIALIZER, update = BSON_INITIALIZER, filter = BSON_INITIALIZER;
		bson_iter_t it;

		if (!doc) {
			fprintf(stderr, "bench_bulk: %s\n", e.message);
			return 1;
		}
		bson_copy_to_excluding_noinit(doc, &set, "_id", NULL);
		if (bson_iter_init_find(&it, doc, "booking_id"))
			bson_append_iter(&filter, "booking_id", -1, &it);
		bson_append_document(&update, "$set", -1, &set);
		if (!bulk)
			bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bulk_opts);
		ok = mongoc_bulk_operation_update_one_with_opts(bulk, &filter, &update, upsert, &e);
		if (ok && ++n % batch == 0) {
			ok = execute(bulk);
			bulk = NULL;
		}
		bson_destroy(&filter);
		bson_destroy(&update);
		bson_destroy(&set);
		bson_destroy(doc);
	}
	if (ok && bulk)
		ok = execute(bulk);
	bson_destroy(upsert);
	bson_destroy(bulk_opts);
	return !ok;
}

/* A collection that is not there is dropped already (26: NamespaceNotFound; some servers
 * only say "ns not found"). */
static int drop(mongoc_collection_t *coll)
{
	bson_error_t e;

	if (mongoc_collection_drop(coll, &e) || e.code == 26 || strstr(e.message, "ns not found"))
		return 0;
	fprintf(stderr, "bench_bulk: %s\n", e.message);
	return 1;
}

static int since(mongoc_collection_t *coll, long long ms)
{
	bson_t *filter = BCON_NEW("updated_at", "{", "$gt", BCON_DATE_TIME(ms), "}");
	bson_error_t e;
	int64_t n = mongoc_collection_count_documents(coll, filter, NULL, NULL, NULL, &e);

	bson_destroy(filter);
	if (n < 0) {
		fprintf(stderr, "bench_bulk: %s\n", e.message);
		return 1;
	}
	printf("%lld\n", (long long)n);
	return 0;
}

int main(int argc, char **argv)
{
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	int rc;

	if (argc < 5 || (strcmp(argv[1], "dump") && strcmp(argv[1], "drop") &&
	                 ((strcmp(argv[1], "load") && strcmp(argv[1], "since")) || argc < 6))) {
		fprintf(stderr,
		        "usage: bench_bulk dump|load|drop|since URI DB COLL [BATCH|MILLIS]\n");
		return 64;
	}
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL);
	client = mongoc_client_new(argv[2]);
	if (!client) {
		fprintf(stderr, "bench_bulk: bad URI\n");
		return 64;
	}
	coll = mongoc_client_get_collection(client, argv[3], argv[4]);
	if (!strcmp(argv[1], "drop"))
		rc = drop(coll);
	else if (!strcmp(argv[1], "since"))
		rc = since(coll, atoll(argv[5]));
	else
		rc = !strcmp(argv[1], "dump") ? dump(coll) : load(coll, atol(argv[5]));
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return rc;
}
