/* The floor for a cold `snapctl upsert ID`: a process that connects with libpq (same
 * environment) and runs one single-row INSERT ... ON CONFLICT. Not part of the product. */
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
	                   "INSERT INTO bench_floor (booking_id, n) VALUES ($1, 1)"
	                   " ON CONFLICT (booking_id) DO UPDATE SET n = bench_floor.n + 1",
	                   1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "floor: %s", PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	return ok ? 0 : 70;
}
