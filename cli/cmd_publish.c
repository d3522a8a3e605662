/* snapctl publish: the listings of the given bookings written now. A summary on stdout (one
 * JSON object with --json, from sync_run, which sync-all shares); exit 3 when some snapshots
 * could not be published this time. */
#include "cli.h"

int sync_run(struct invocation *inv, const snap_sync_opts *o, const char *job)
{
	static const char *const names[] = {"claimed",       "published", "withdrawn", "completed",
	                                    "skipped_stale", "retried",   "failed"};
	snap_sync_summary s = {0};
	snap_error err = {0};
	snap_code rc = snap_sync(inv->ctx, o, &s, &err);
	const long values[] = {s.claimed,       s.published, s.withdrawn, s.completed,
	                       s.skipped_stale, s.retried,   s.failed};
	struct run_summary r = {job, COUNTS(names, values), s.duration_ms, s.retried + s.failed > 0,
	                        NULL};

	return finish_run(inv, &r, rc, &err);
}

int cmd_publish(struct invocation *inv)
{
	snap_sync_opts o = {0};

	o.ids = (const char *const *)inv->args;
	o.nids = (size_t)inv->nargs;
	o.run = inv->run;
	return sync_run(inv, &o, NULL);
}
