/* The tests' view of MongoDB, on SNAPCTL_MONGO_URI:
 *   mongo_tool drop DB       drops database DB (a test starts with no listings)
 *   mongo_tool listings DB   prints every listing of DB as "booking_id<TAB>version<TAB>_id<TAB>
 *                            updated_at (ms)", for the invariants to compare with the snapshots
 *                            in one query, and for tests to see which listings were written
 *   mongo_tool insert DB JSON  inserts a listing (extended JSON), as another writer might
 *   mongo_tool delete DB BOOKING_ID  deletes the booking's listings, as a person might
 *   mongo_tool update DB BOOKING_ID JSON  applies {$set: JSON} to the booking's listings (every
 *                            listing when BOOKING_ID is "*") */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

static int listings(mongoc_client_t *client, const char *db)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(client, db, "market_listings");
	bson_t filter = BSON_INITIALIZER;
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
	const bson_t *doc;
	bson_error_t e;
	int ok;

	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		const char *booking = "";
		char oid[25] = "";
		int64_t version = -1, updated = -1;

		if (bson_iter_init_find(&it, doc, "booking_id") && BSON_ITER_HOLDS_UTF8(&it))
			booking = bson_iter_utf8(&it, NULL);
		if (bson_iter_init_find(&it, doc, "snapshot_version"))
			version = bson_iter_as_int64(&it);
		if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it))
			bson_oid_to_string(bson_iter_oid(&it), oid);
		if (bson_iter_init_find(&it, doc, "updated_at") && BSON_ITER_HOLDS_DATE_TIME(&it))
			updated = bson_iter_date_time(&it);
		printf("%s\t%lld\t%s\t%lld\n", booking, (long long)version, oid,
		       (long long)updated);
	}
	ok = !mongoc_cursor_error(cur, &e);
	if (!ok)
		fprintf(stderr, "mongo_tool: %s\n", e.message);
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(coll);
	return ok;
}

static int insert(mongoc_client_t *client, const char *db, const char *json)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(client, db, "market_listings");
	bson_error_t e;
	bson_t *doc = bson_new_from_json((const uint8_t *)json, -1, &e);
	int ok = doc && mongoc_collection_insert_one(coll, doc, NULL, NULL, &e);

	if (!ok)
		fprintf(stderr, "mongo_tool: %s\n", e.message);
	bson_destroy(doc);
	mongoc_collection_destroy(coll);
	return ok;
}

static int delete (mongoc_client_t *client, const char *db, const char *booking_id)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(client, db, "market_listings");
	bson_t *filter = BCON_NEW("booking_id", BCON_UTF8(booking_id));
	bson_error_t e;
	int ok = mongoc_collection_delete_many(coll, filter, NULL, NULL, &e);

	if (!ok)
		fprintf(stderr, "mongo_tool: %s\n", e.message);
	bson_destroy(filter);
	mongoc_collection_destroy(coll);
	return ok;
}

static int update(mongoc_client_t *client, const char *db, const char *booking_id, const char *json)
{
	mongoc_collection_t *coll = mongoc_client_get_collection(client, db, "market_listings");
	bson_t *filter =
	    strcmp(booking_id, "*") ? BCON_NEW("booking_id", BCON_UTF8(booking_id)) : bson_new();
	bson_error_t e;
	bson_t *set = bson_new_from_json((const uint8_t *)json, -1, &e);
	bson_t *change = set ? BCON_NEW("$set", BCON_DOCUMENT(set)) : NULL;
	int ok = change && mongoc_collection_update_many(coll, filter, change, NULL, NULL, &e);

	if (!ok)
		fprintf(stderr, "mongo_tool: %s\n", e.message);
	bson_destroy(change);
	bson_destroy(set);
	bson_destroy(filter);
	mongoc_collection_destroy(coll);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int argc;
	} cmds[] = {{"drop", 3}, {"listings", 3}, {"insert", 4}, {"delete", 4}, {"update", 5}};
	const char *uri = getenv("SNAPCTL_MONGO_URI");
	mongoc_client_t *client;
	size_t i;
	int ok;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			break;
	if (!uri || argc < 2 || i == sizeof(cmds) / sizeof(cmds[0]) || argc != cmds[i].argc) {
		fprintf(stderr,
		        "usage: SNAPCTL_MONGO_URI=URI mongo_tool drop|listings DB, "
		        "insert DB JSON, delete DB BOOKING_ID, or update DB BOOKING_ID JSON\n");
		return 64;
	}
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL); /* FerretDB lacks endSessions: libmongoc warns */
	client = mongoc_client_new(uri);
	if (!client) {
		fprintf(stderr, "mongo_tool: bad URI\n");
		return 64;
	}
	if (!strcmp(argv[1], "drop")) {
		mongoc_database_t *db = mongoc_client_get_database(client, argv[2]);
		bson_error_t e;

		if (!(ok = mongoc_database_drop(db, &e)))
			fprintf(stderr, "mongo_tool: %s\n", e.message);
		mongoc_database_destroy(db);
	} else if (!strcmp(argv[1], "insert")) {
		ok = insert(client, argv[2], argv[3]);
	} else if (!strcmp(argv[1], "delete")) {
		ok = delete (client, argv[2], argv[3]);
	} else if (!strcmp(argv[1], "update")) {
		ok = update(client, argv[2], argv[3], argv[4]);
	} else {
		ok = listings(client, argv[2]);
	}
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return ok ? 0 : 69;
}
