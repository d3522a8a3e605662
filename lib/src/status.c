/* status: what needs attention, in one JSON object; and the record of each job's last run. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* $1 failed snapshots to show, $2 missing source indexes (text[]) */
static const char SQL_STATUS[] =
    "SELECT json_build_object("
    " 'schema_version', (SELECT max(version) FROM snapctl_schema_migrations),"
    " 'counts', (SELECT coalesce(json_object_agg(status, n ORDER BY status), '{}')"
    "  FROM (SELECT status, count(*) AS n FROM market_inventory_snapshots GROUP BY status) c),"
    " 'oldest_due_seconds', (SELECT coalesce(floor(extract(epoch FROM"
    "  now() - min(next_attempt_at))), 0)::bigint FROM market_inventory_snapshots"
    "  WHERE status = 'ready_to_publish' AND next_attempt_at <= now()),"
    " 'active_leases', (SELECT count(*) FROM market_inventory_snapshots"
    "  WHERE status = 'publishing' AND lease_expires_at >= now()),"
    " 'expired_leases', (SELECT count(*) FROM market_inventory_snapshots"
    "  WHERE status = 'publishing' AND lease_expires_at < now()),"
    " 'failed', (SELECT coalesce(json_agg(json_build_object('booking_id', booking_id,"
    "   'attempts', attempts, 'since', snapctl_iso(status_changed_at),"
    "   'last_error', last_error) ORDER BY status_changed_at DESC), '[]')"
    "  FROM (SELECT * FROM market_inventory_snapshots WHERE status = 'failed'"
    "   ORDER BY status_changed_at DESC LIMIT $1) f),"
    " 'missing_source_indexes', to_json($2::text[]),"
    " 'runs', (SELECT coalesce(json_object_agg(job, json_build_object("
    "   'started_at', snapctl_iso(started_at), 'finished_at', snapctl_iso(finished_at),"
    "   'outcome', outcome, 'counts', counts, 'host', host,"
    "   'last_success_at', snapctl_iso(last_success_at)) ORDER BY job), '{}')"
    "  FROM snapctl_runs))::text";

/* $1 job, $2 seconds it ran, $3 outcome, $4 counts (JSON), $5 host */
static const char SQL_RECORD[] =
    "INSERT INTO snapctl_runs AS r VALUES ($1, now() - make_interval(secs => $2), now(), $3,"
    " $4::jsonb, $5, CASE WHEN $3 = 'ok' THEN now() END)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    " finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome,"
    " counts = EXCLUDED.counts, host = EXCLUDED.host,"
    " last_success_at = coalesce(EXCLUDED.last_success_at, r.last_success_at)";

snap_code snap_status(snap_ctx *ctx, int top_failed, char **json_out, snap_error *err)
{
	char top[16];
	const char *params[2] = {top, NULL};
	PGresult *idx = NULL, *res = NULL;
	strbuf missing = {0};
	snap_code rc;
	int i;

	*json_out = NULL;
	snprintf(top, sizeof(top), "%d", top_failed > 0 ? top_failed : SNAP_STATUS_FAILED);
	if ((rc = pg_exec(ctx, "checking source indexes", snap_sql_source_indexes, 0, NULL, &idx,
	                  err)) != SNAP_OK)
		goto out;
	sb_add(&missing, "{");
	for (i = 0; i < PQntuples(idx); i++) {
		sb_add(&missing, i ? ",\"" : "\"");
		sb_add(&missing, PQgetvalue(idx, i, 1));
		sb_add(&missing, " (");
		sb_add(&missing, PQgetvalue(idx, i, 2));
		sb_add(&missing, ")\"");
	}
	sb_add(&missing, "}");
	params[1] = missing.buf;
	if (missing.failed)
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
	else if ((rc = pg_exec(ctx, "reading the status", SQL_STATUS, 2, params, &res, err)) ==
	             SNAP_OK &&
	         !(*json_out = strdup(PQgetvalue(res, 0, 0))))
		rc = snap_fail(err, SNAP_ERR_INTERNAL, "out of memory");
out:
	sb_free(&missing);
	PQclear(idx);
	PQclear(res);
	return rc;
}

snap_code snap_run_record(snap_ctx *ctx, const char *job, long duration_ms, const char *outcome,
                          const char *counts_json, const char *host, snap_error *err)
{
	char secs[32];
	const char *params[5] = {job, secs, outcome, counts_json, host};
	PGresult *res = NULL;
	snap_code rc;

	snprintf(secs, sizeof(secs), "%.3f", duration_ms / 1000.0);
	rc = pg_exec(ctx, "recording the run", SQL_RECORD, 5, params, &res, err);
	PQclear(res);
	return rc;
}
