/* snapctl cleanup: old withdrawn and completed snapshots deleted once their listing is gone,
 * and with --orphans listings without a snapshot removed. A summary on stdout (one JSON object
 * with --json). */
#include "cli.h"

int cmd_cleanup(struct invocation *inv)
{
	static const char *const names[] = {"deleted", "kept", "orphans"};
	snap_cleanup_opts o = {0};
	snap_cleanup_summary s = {0};
	snap_error err = {0};
	snap_code rc;

	o.older_than_seconds = inv->seconds[OPT_OLDER_THAN];
	o.run = inv->run;
	rc = snap_cleanup(inv->ctx, &o, &s, &err);
	{
		const long values[] = {s.deleted, s.kept, s.orphans};
		struct run_summary r = {"cleanup", COUNTS(names, values), s.duration_ms, 0, NULL};

		return finish_run(inv, &r, rc, &err);
	}
}
