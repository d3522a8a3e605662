/* snapctl sync-all: every due snapshot published, the listings of finished bookings removed,
 * in batches (the summary as publish prints it). */
#include "cli.h"

int cmd_sync_all(struct invocation *inv)
{
	snap_sync_opts o = {0};

	o.limit = inv->count[OPT_LIMIT];
	o.batch_size = (int)inv->count[OPT_BATCH_SIZE];
	o.max_seconds = inv->seconds[OPT_MAX_DURATION];
	o.flags = inv->flags;
	return sync_run(inv, &o, "sync-all");
}
