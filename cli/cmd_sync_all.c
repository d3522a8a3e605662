/* snapctl sync-all: every due snapshot published, the listings of finished bookings removed,
 * in batches (the summary as publish prints it). */
#include "cli.h"

int cmd_sync_all(struct invocation *inv)
{
	return sync_run(inv, NULL, 0);
}
