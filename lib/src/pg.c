/* The one wrapper around libpq: connecting, running parameterised statements, and turning
 * server errors into snap codes with one-line messages. */
#include <string.h>

#include "internal.h"

/* The first line of libpq's message, without "ERROR:  " noise. */
static const char *first_line(const char *msg, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s", msg ? msg : "");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

snap_code pg_conn(snap_ctx *ctx, snap_error *err)
{
	const char *keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {ctx->pg_uri, ctx->app_name, NULL};
	PQconninfoOption *opts;
	char *perr = NULL;
	char line[200];

	if (ctx->pg)
		return SNAP_OK;
	/* Parse first: libpq's parse errors quote the offending text, which may be a password. */
	if (ctx->pg_uri) {
		if (!(opts = PQconninfoParse(ctx->pg_uri, &perr))) {
			PQfreemem(perr);
			return with_remedy(err, SNAP_REMEDY_PG_URI,
			                   snap_fail(err, SNAP_ERR_CONFIG,
			                             "malformed PostgreSQL connection string"));
		}
		PQconninfoFree(opts);
	}
	ctx->pg = PQconnectdbParams(keys, vals, 1);
	if (!ctx->pg)
		return snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	if (PQstatus(ctx->pg) != CONNECTION_OK) {
		snap_fail(err, SNAP_ERR_UNAVAILABLE, "cannot connect to PostgreSQL: %s",
		          first_line(PQerrorMessage(ctx->pg), line, sizeof(line)));
		PQfinish(ctx->pg);
		ctx->pg = NULL;
		return SNAP_ERR_UNAVAILABLE;
	}
	snap_log(ctx, SNAP_LOG_DEBUG, "connected to PostgreSQL %d", PQserverVersion(ctx->pg));
	/* hash_record_extended(), which finds unchanged snapshots, came with 14. */
	if (PQserverVersion(ctx->pg) < 140000) {
		snap_fail(err, SNAP_ERR_CONFIG,
		          "PostgreSQL 14 or later is needed; the server is %d",
		          PQserverVersion(ctx->pg));
		PQfinish(ctx->pg);
		ctx->pg = NULL;
		return SNAP_ERR_CONFIG;
	}
	return SNAP_OK;
}

int snap_pg_uri_has_secret(const char *conninfo)
{
	PQconninfoOption *opts, *o;
	int secret = 0;

	if (!conninfo)
		return 0;
	if (!(opts = PQconninfoParse(conninfo, NULL)))
		return 1;
	/* libpq marks the options it must never show with '*': password, sslpassword. */
	for (o = opts; o->keyword; o++)
		if (o->dispchar && o->dispchar[0] == '*' && o->val && *o->val)
			secret = 1;
	PQconninfoFree(opts);
	return secret;
}

static snap_code classify(PGconn *conn, const char *state)
{
	if (PQstatus(conn) != CONNECTION_OK || !state || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0)
		return SNAP_ERR_UNAVAILABLE;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return SNAP_ERR_TEMPORARY;
	/* Missing tables, columns or functions, or no privilege: the schema or the role is not
	 * what snapctl needs; init-db fixes the former. */
	if (!strcmp(state, "42P01") || !strcmp(state, "42703") || !strcmp(state, "42883") ||
	    !strcmp(state, "42501"))
		return SNAP_ERR_CONFIG;
	return SNAP_ERR_INTERNAL;
}

static snap_code fail_result(snap_ctx *ctx, const char *what, PGresult *res, snap_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	snap_code code = classify(ctx->pg, state);
	char line[200];

	if (!primary)
		primary = first_line(PQerrorMessage(ctx->pg), line, sizeof(line));
	if (code == SNAP_ERR_UNAVAILABLE)
		return snap_fail(err, code, "%s: lost the PostgreSQL connection: %s", what,
		                 primary);
	if (code == SNAP_ERR_CONFIG && state && strcmp(state, "42501") != 0)
		return with_remedy(err, SNAP_REMEDY_INIT_DB,
		                   snap_fail(err, code, "%s: %s", what, primary));
	return snap_fail(err, code, "%s: %s", what, primary);
}

static snap_code settle(snap_ctx *ctx, const char *what, PGresult *res, PGresult **out,
                        snap_error *err)
{
	snap_code rc;

	switch (res ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		*out = res;
		return SNAP_OK;
	default:
		rc = fail_result(ctx, what, res, err);
		PQclear(res);
		return rc;
	}
}

snap_code pg_exec_ex(snap_ctx *ctx, const char *what, const char *sql, int nparams,
                     const char *const *params, const int *lengths, const int *formats,
                     PGresult **out, snap_error *err)
{
	snap_code rc;

	*out = NULL;
	if ((rc = pg_conn(ctx, err)) != SNAP_OK)
		return rc;
	return settle(ctx, what,
	              PQexecParams(ctx->pg, sql, nparams, NULL, params, lengths, formats, 0), out,
	              err);
}

snap_code pg_exec(snap_ctx *ctx, const char *what, const char *sql, int nparams,
                  const char *const *params, PGresult **out, snap_error *err)
{
	return pg_exec_ex(ctx, what, sql, nparams, params, NULL, NULL, out, err);
}

snap_code pg_pipeline_begin(snap_ctx *ctx, snap_error *err)
{
	snap_code rc;

	if ((rc = pg_conn(ctx, err)) != SNAP_OK)
		return rc;
	if (!PQenterPipelineMode(ctx->pg))
		return fail_result(ctx, "sending statements together", NULL, err);
	return SNAP_OK;
}

/* Every result sent for was taken, or the connection is lost: then it is closed, and the next
 * statement connects again (or says why it cannot). */
void pg_pipeline_end(snap_ctx *ctx)
{
	if (ctx->pg && !PQexitPipelineMode(ctx->pg)) {
		PQfinish(ctx->pg);
		ctx->pg = NULL;
	}
}

snap_code pg_send(snap_ctx *ctx, const char *what, const char *sql, int nparams,
                  const char *const *params, snap_error *err)
{
	snap_code rc;

	if ((rc = pg_conn(ctx, err)) != SNAP_OK)
		return rc;
	/* In a pipeline, a Sync after each statement makes it a transaction of its own. */
	if (!PQsendQueryParams(ctx->pg, sql, nparams, NULL, params, NULL, NULL, 0) ||
	    (PQpipelineStatus(ctx->pg) != PQ_PIPELINE_OFF && !PQpipelineSync(ctx->pg)))
		return fail_result(ctx, what, NULL, err);
	return SNAP_OK;
}

snap_code pg_receive(snap_ctx *ctx, const char *what, PGresult **out, snap_error *err)
{
	PGresult *res = PQgetResult(ctx->pg), *extra;

	*out = NULL;
	while ((extra = PQgetResult(ctx->pg)) != NULL) /* the end of the statement */
		PQclear(extra);
	/* In a pipeline, then its Sync. */
	if (PQpipelineStatus(ctx->pg) != PQ_PIPELINE_OFF && (extra = PQgetResult(ctx->pg)))
		PQclear(extra);
	return settle(ctx, what, res, out, err);
}

/* Static SQL only: it may hold several statements and takes no values. */
snap_code pg_cmd(snap_ctx *ctx, const char *what, const char *sql, snap_error *err)
{
	PGresult *res = NULL;
	snap_code rc;

	if ((rc = pg_conn(ctx, err)) != SNAP_OK)
		return rc;
	rc = settle(ctx, what, PQexec(ctx->pg, sql), &res, err);
	PQclear(res);
	return rc;
}

void pg_rollback(snap_ctx *ctx)
{
	if (ctx->pg && PQtransactionStatus(ctx->pg) != PQTRANS_IDLE)
		PQclear(PQexec(ctx->pg, "ROLLBACK"));
}
