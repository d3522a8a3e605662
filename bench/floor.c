/* The floor for a cold `snapctl upsert ID`: a process that connects with libpq (same
 * environment) and runs one single-row INSERT ... ON CONFLICT into the snapshot table, the
 * least any upsert of a snapshot must do. Not part of the product. */
#include <libpq-fe.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *params[1] = {argc > 1 ? argv[1] : NULL};
	PGconn *conn = PQconnectdb("");
	PGresult *res;
	int ok;

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "floor: %s", PQerrorMessage(conn));
		return 69;
	}
	res = PQexecParams(conn,
	                   "INSERT INTO market_inventory_snapshots (booking_id, status)"
	                   " VALUES ($1, 'ready_to_publish') ON CONFLICT (booking_id)"
	                   " DO UPDATE SET updated_at = now()",
	                   1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "floor: %s", PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	return ok ? 0 : 70;
}
