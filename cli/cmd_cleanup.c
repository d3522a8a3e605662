/* snapctl cleanup: old withdrawn and completed snapshots deleted once their listing is gone,
 * and with --orphans listings without a snapshot removed. A summary on stdout (one JSON object
 * with --json). */
#include "cli.h"

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
