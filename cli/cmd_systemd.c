/* snapctl systemd: the service and timer units of the jobs (systemd/, embedded at build time),
 * as snapctl cron prints crontab lines. The Debian package installs the same units. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

extern const char unit_snapctl_sync_service[], unit_snapctl_sync_timer[];
extern const char unit_snapctl_reconcile_service[], unit_snapctl_reconcile_timer[];
extern const char unit_snapctl_cleanup_service[], unit_snapctl_cleanup_timer[];

static const struct {
	const char *name, *text;
} units[] = {
    {"snapctl-sync.service", unit_snapctl_sync_service},
    {"snapctl-sync.timer", unit_snapctl_sync_timer},
    {"snapctl-reconcile.service", unit_snapctl_reconcile_service},
    {"snapctl-reconcile.timer", unit_snapctl_reconcile_timer},
    {"snapctl-cleanup.service", unit_snapctl_cleanup_service},
    {"snapctl-cleanup.timer", unit_snapctl_cleanup_timer},
};

void self_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n <= 0)
		snprintf(buf, size, "snapctl");
	else
		buf[n] = '\0';
}

/* Prints text with each @SNAPCTL@ replaced by exe. */
static void print_unit(const char *text, const char *exe)
{
	static const char mark[] = "@SNAPCTL@";
	const char *at;

	while ((at = strstr(text, mark))) {
		fwrite(text, 1, (size_t)(at - text), stdout);
		fputs(exe, stdout);
		text = at + sizeof(mark) - 1;
	}
	fputs(text, stdout);
}

int cmd_systemd(struct invocation *inv)
{
	char self[PATH_MAX];
	size_t i;

	(void)inv; /* the table saw to its operands; it has no options */
	self_path(self, sizeof(self));
	printf("# snapctl's systemd units (see snapctl(1)); the Debian package installs them.\n"
	       "# Save each as /etc/systemd/system/NAME, then:\n"
	       "#   systemctl daemon-reload\n"
	       "#   systemctl enable --now snapctl-sync.timer snapctl-reconcile.timer "
	       "snapctl-cleanup.timer\n");
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		printf("\n# ==> %s <==\n", units[i].name);
		print_unit(units[i].text, self);
	}
	return 0;
}
