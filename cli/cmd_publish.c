/* snapctl publish: the listings of the given bookings written now. A summary on stdout (one
 * JSON object with --json, from sync_run, which sync-all shares); exit 3 when some snapshots
 * could not be published this time. */
#include "cli.h"

int sync_run(struct invocation *inv, const char *const *ids, size_t n)
{
	snap_sync_opts o = {ids, n, inv->run};
	snap_sync_summary s = {0};
	snap_error err = {0};
	snap_code rc = snap_sync(inv->ctx, &o, &s, &err);

	return finish_run(inv, o.run.job, &s.tally, NULL, rc, &err);
}

int cmd_publish(struct invocation *inv)
{
	return sync_run(inv, (const char *const *)inv->args, (size_t)inv->nargs);
}
