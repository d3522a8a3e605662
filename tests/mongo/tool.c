/* mongo_dropdb NAME: drops database NAME on SNAPCTL_MONGO_URI, so that a test starts from no
 * listings however often it runs against the same server. */
#include <stdio.h>
#include <stdlib.h>

#include <mongoc/mongoc.h>

int main(int argc, char **argv)
{
	const char *uri = getenv("SNAPCTL_MONGO_URI");
	mongoc_client_t *client;
	mongoc_database_t *db;
	bson_error_t error;
	int ok;

	if (argc != 2 || !uri) {
		fprintf(stderr, "usage: SNAPCTL_MONGO_URI=URI mongo_dropdb NAME\n");
		return 64;
	}
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL); /* FerretDB lacks endSessions: libmongoc warns */
	client = mongoc_client_new(uri);
	if (!client) {
		fprintf(stderr, "mongo_dropdb: bad URI\n");
		return 64;
	}
	db = mongoc_client_get_database(client, argv[1]);
	ok = mongoc_database_drop(db, &error);
	if (!ok)
		fprintf(stderr, "mongo_dropdb: %s\n", error.message);
	mongoc_database_destroy(db);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return ok ? 0 : 69;
}
