/* snapctl sync-all: every due snapshot published, the listings of finished bookings removed,
 * in batches (the summary as publish prints it). */
#include "cli.h"

int cmd_sync_all(struct invocation *inv)
{
	snap_sync_opts o = {0};

	if (inv->nargs)
		return fail(inv, EXIT_USAGE, "sync-all takes no arguments");
	o.limit = inv->limit;
	o.batch_size = inv->batch_size;
	o.max_seconds = inv->max_seconds;
	o.retry_failed = inv->opt[OPT_RETRY_FAILED] != NULL;
	o.dry_run = inv->opt[OPT_DRY_RUN] != NULL;
	return sync_run(inv, &o, "sync-all");
}
