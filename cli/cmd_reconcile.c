/* snapctl reconcile: published snapshots and listings refreshed from the sources. A summary on
 * stdout (one JSON object with --json); exit 3 when some snapshots could not be published this
 * time. */
#include "cli.h"

int cmd_reconcile(struct invocation *inv)
{
	snap_reconcile_opts o = {NULL, 0, inv->run};
	snap_reconcile_summary s = {0};
	snap_error err = {0};
	snap_code rc;

	if (inv->nargs) { /* some bookings, now: not the job */
		o.ids = (const char *const *)inv->args;
		o.nids = (size_t)inv->nargs;
		o.run.job = NULL;
	}
	rc = snap_reconcile(inv->ctx, &o, &s, &err);
	return finish_run(inv, o.run.job, &s.tally, NULL, rc, &err);
}
