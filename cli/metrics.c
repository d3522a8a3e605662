/* --metrics-file: a job's last run in the Prometheus textfile collector format, written to a
 * temporary file next to PATH and renamed over it, so a scrape never sees half a file. One file
 * per job: last_success_timestamp_seconds is carried over from the file a failed run replaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* The value of the line that starts with key in the file at path, or NULL. */
static char *carried(const char *path, const char *key, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	char *found = NULL;

	if (!f)
		return NULL;
	while (!found && fgets(buf, (int)size, f))
		if (!strncmp(buf, key, strlen(key))) {
			found = buf + strlen(key);
			found[strcspn(found, "\n")] = '\0';
		}
	fclose(f);
	return found;
}

int metrics_write(const char *path, const char *job, const snap_tally *t, int ok)
{
	char tmp[4096], key[128], line[256], value[32], *last_ok;
	double now = (double)time(NULL);
	FILE *f;
	size_t i;

	snprintf(key, sizeof(key), "snapctl_last_success_timestamp_seconds{job=\"%s\"} ", job);
	last_ok = ok ? NULL : carried(path, key, line, sizeof(line));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp) ||
	    !(f = fopen(tmp, "w")))
		return -1;
	fprintf(f,
	        "# HELP snapctl_run_duration_seconds How long the last run took.\n"
	        "# TYPE snapctl_run_duration_seconds gauge\n"
	        "snapctl_run_duration_seconds{job=\"%s\"} %.3f\n"
	        "# HELP snapctl_run_items What the last run counted, by outcome.\n"
	        "# TYPE snapctl_run_items gauge\n",
	        job, t->duration_ms / 1000.0);
	for (i = 0; i < t->n; i++)
		fprintf(f, "snapctl_run_items{job=\"%s\",outcome=\"%s\"} %ld\n", job,
		        t->counts[i].name, t->counts[i].value);
	fprintf(f,
	        "# HELP snapctl_run_success Whether the last run ended ok (1) or not (0).\n"
	        "# TYPE snapctl_run_success gauge\n"
	        "snapctl_run_success{job=\"%s\"} %d\n"
	        "# HELP snapctl_last_run_timestamp_seconds When the last run ended.\n"
	        "# TYPE snapctl_last_run_timestamp_seconds gauge\n"
	        "snapctl_last_run_timestamp_seconds{job=\"%s\"} %.0f\n",
	        job, ok, job, now);
	if (ok)
		snprintf(value, sizeof(value), "%.0f", now);
	if (ok || last_ok)
		fprintf(f,
		        "# HELP snapctl_last_success_timestamp_seconds When a run last ended ok.\n"
		        "# TYPE snapctl_last_success_timestamp_seconds gauge\n"
		        "%s%s\n",
		        key, ok ? value : last_ok);
	if (ferror(f) | fclose(f) || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
