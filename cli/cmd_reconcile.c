/* snapctl reconcile and cleanup: keeping listings true. A summary on stdout (one JSON object
 * with --json); reconcile exits 3 when some snapshots could not be published this time. */
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
	o.limit = inv->limit;
	o.batch_size = inv->batch_size;
	o.max_seconds = inv->max_seconds;
	o.dry_run = inv->opt[OPT_DRY_RUN] != NULL;
	rc = snap_reconcile(inv->ctx, &o, &s, &err);
	{
		const long values[] = {s.checked,   s.unchanged, s.changed, s.missing, s.published,
		                       s.withdrawn, s.completed, s.retried, s.failed};
		struct run_summary r = {o.ids ? NULL : "reconcile", /* the cron job */
		                        names,
		                        values,
		                        sizeof(values) / sizeof(values[0]),
		                        s.duration_ms,
		                        o.dry_run,
		                        s.retried + s.failed > 0,
		                        NULL};

		return finish_run(inv, &r, rc, &err);
	}
}

int cmd_cleanup(struct invocation *inv)
{
	static const char *const names[] = {"deleted", "kept", "orphans"};
	const char *age = inv->opt[OPT_OLDER_THAN] ? inv->opt[OPT_OLDER_THAN] : "90d";
	snap_cleanup_opts o = {0};
	snap_cleanup_summary s = {0};
	snap_error err = {0};
	snap_code rc;

	if (inv->nargs)
		return fail(inv, EXIT_USAGE, "cleanup takes no arguments");
	if (!snap_parse_duration(age, &o.older_than_seconds))
		return fail(inv, EXIT_USAGE,
		            "--older-than must be a number with s, m, h, d or w (e.g. 90d) of at "
		            "most a century, "
		            "not '%.40s'",
		            age);
	o.orphans = inv->opt[OPT_ORPHANS] != NULL;
	o.batch_size = inv->batch_size;
	o.dry_run = inv->opt[OPT_DRY_RUN] != NULL;
	rc = snap_cleanup(inv->ctx, &o, &s, &err);
	{
		const long values[] = {s.deleted, s.kept, s.orphans};
		struct run_summary r = {
		    "cleanup",     names,     values, sizeof(values) / sizeof(values[0]),
		    s.duration_ms, o.dry_run, 0,      NULL};

		return finish_run(inv, &r, rc, &err);
	}
}
