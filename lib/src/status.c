/* status: what needs attention (lib/sql/status.sql), and the record of each job's last run. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Due work older than three sync-all periods (cron's 5 minutes) needs attention. */
enum { DUE_ALARM_SECONDS = 900 };

/* $1 job, $2 seconds it ran, $3 outcome, $4 counts (JSON), $5 host */
static const char SQL_RECORD[] =
    "INSERT INTO snapctl_runs AS r VALUES ($1, now() - make_interval(secs => $2), now(), $3,"
    " $4::jsonb, $5, CASE WHEN $3 = 'ok' THEN now() END)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    " finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome,"
    " counts = EXCLUDED.counts, host = EXCLUDED.host,"
    " last_success_at = coalesce(EXCLUDED.last_success_at, r.last_success_at)";

snap_code snap_status(snap_ctx *ctx, int top_failed, snap_status_report *out, snap_error *err)
{
	char top[16], alarm[16];
	const char *params[3] = {top, NULL, alarm};
	PGresult *idx = NULL, *res = NULL;
	const char **missing_idx = NULL; /* "table (columns)" of each */
	strbuf missing = {0};
	snap_code rc;
	int i, n;

	out->json = NULL;
	out->attention = 0;
	snprintf(top, sizeof(top), "%d", top_failed > 0 ? top_failed : SNAP_STATUS_FAILED);
	snprintf(alarm, sizeof(alarm), "%d", DUE_ALARM_SECONDS);
	if ((rc = pg_exec(ctx, "checking source indexes", snap_sql_source_indexes, 0, NULL, &idx,
	                  err)) != SNAP_OK)
		goto out;
	n = PQntuples(idx);
	if ((missing_idx = calloc((size_t)n + 1, sizeof(*missing_idx)))) {
		for (i = 0; i < n; i++)
			missing_idx[i] = PQgetvalue(idx, i, 2);
		sb_add_text_array(&missing, missing_idx, (size_t)n);
	}
	params[1] = missing.buf;
	if (!missing_idx || missing.failed)
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	else if ((rc = pg_exec(ctx, "reading the status", snap_sql_status, 3, params, &res, err)) ==
	             SNAP_OK &&
	         !(out->json = strdup(PQgetvalue(res, 0, 0))))
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	if (rc == SNAP_OK)
		out->attention = atol(PQgetvalue(res, 0, 1));
out:
	free(missing_idx);
	sb_free(&missing);
	PQclear(idx);
	PQclear(res);
	return rc;
}

void run_record(snap_ctx *ctx, const char *job, const snap_tally *t, snap_code ended)
{
	char secs[32], host[256] = "unknown", num[32];
	const char *outcome = ended != SNAP_OK ? snap_strerror(ended)
	                      : t->partial     ? "partial"
	                                       : "ok";
	const char *params[5] = {job, secs, outcome, NULL, host};
	PGresult *res = NULL;
	strbuf counts = {0};
	snap_error err = {0};
	size_t i;

	for (i = 0; i < t->n; i++) { /* {"name":n,...,"duration_ms":d}: names are identifiers */
		snprintf(num, sizeof(num), "\":%ld,", t->counts[i].value);
		sb_add(&counts, i ? "\"" : "{\"");
		sb_add(&counts, t->counts[i].name);
		sb_add(&counts, num);
	}
	snprintf(num, sizeof(num), "%ld}", t->duration_ms);
	sb_add(&counts, t->n ? "\"duration_ms\":" : "{\"duration_ms\":");
	sb_add(&counts, num);
	params[3] = counts.buf;
	gethostname(host, sizeof(host) - 1);
	snprintf(secs, sizeof(secs), "%.3f", t->duration_ms / 1000.0);
	if ((counts.failed ? snap_fail(&err, SNAP_ERR_INTERNAL, "out of memory")
	                   : pg_exec(ctx, "recording the run", SQL_RECORD, 5, params, &res,
	                             &err)) != SNAP_OK &&
	    ended == SNAP_OK)
		snap_log(ctx, SNAP_LOG_WARN, "the run was not recorded: %s", err.message);
	PQclear(res);
	sb_free(&counts);
}
