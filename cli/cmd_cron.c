/* snapctl cron: the recommended crontab lines, with this binary's real path. */
#include <limits.h>
#include <stdio.h>

#include "cli.h"

int cmd_cron(struct invocation *inv)
{
	char self[PATH_MAX];

	(void)inv; /* the table saw to its operands; it has no options */
	self_path(self, sizeof(self));
	printf("# snapctl jobs (see snapctl(1)). Add them to a crontab (crontab -e), or:\n"
	       "#   (crontab -l; snapctl cron) | crontab -\n"
	       "# Or systemd timers instead: snapctl systemd.\n"
	       "# Runs may overlap, here or on other hosts: work is claimed under leases\n"
	       "# (FOR UPDATE SKIP LOCKED), so no lock file is needed; --max-duration keeps each\n"
	       "# run inside its period. Settings: SNAPCTL_PG_URI, SNAPCTL_MONGO_URI or a config\n"
	       "# file (--config).\n"
	       "*/5 * * * *  %s --quiet sync-all --max-duration 240\n"
	       "*/30 * * * * %s --quiet reconcile --max-duration 1500\n"
	       "17 3 * * *   %s --quiet cleanup --orphans; %s --quiet verify --repair "
	       "--max-duration 3000\n",
	       self, self, self, self);
	return 0;
}
