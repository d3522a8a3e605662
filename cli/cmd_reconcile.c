/* snapctl reconcile: published snapshots and listings refreshed from the sources. A summary on
 * stdout (one JSON object with --json); exit 3 when some snapshots could not be published this
 * time. */
#include "cli.h"

int cmd_reconcile(struct invocation *inv)
{
	static const char *const names[] = {"checked",   "unchanged", "changed",
	                                    "missing",   "published", "withdrawn",
	                                    "completed", "retried",   "failed"};
	snap_reconcile_opts o = {0};
	snap_reconcile_summary s = {0};
	snap_error err = {0};
	snap_code rc;

	o.ids = inv->nargs ? (const char *const *)inv->args : NULL;
	o.nids = (size_t)inv->nargs;
	o.run = inv->run;
	rc = snap_reconcile(inv->ctx, &o, &s, &err);
	{
		const long values[] = {s.checked,   s.unchanged, s.changed, s.missing, s.published,
		                       s.withdrawn, s.completed, s.retried, s.failed};
		/* recorded as the cron job when it walks every snapshot */
		struct run_summary r = {o.ids ? NULL : "reconcile", COUNTS(names, values),
		                        s.duration_ms, s.retried + s.failed > 0, NULL};

		return finish_run(inv, &r, rc, &err);
	}
}
