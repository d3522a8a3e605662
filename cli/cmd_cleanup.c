/* snapctl cleanup: old withdrawn and completed snapshots deleted once their listing is gone,
 * and with --orphans listings without a snapshot removed. A summary on stdout (one JSON object
 * with --json). */
#include "cli.h"

int cmd_cleanup(struct invocation *inv)
{
	snap_cleanup_opts o = {inv->seconds[OPT_OLDER_THAN], inv->run};
	snap_cleanup_summary s = {0};
	snap_error err = {0};
	snap_code rc = snap_cleanup(inv->ctx, &o, &s, &err);

	return finish_run(inv, o.run.job, &s.tally, NULL, rc, &err);
}
