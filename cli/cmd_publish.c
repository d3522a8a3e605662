/* snapctl publish, sync-all and withdraw: the listing side. A summary on stdout (one JSON
 * object with --json); exit 3 when some snapshots could not be published this time. */
#include "cli.h"

static int summary(struct invocation *inv, const snap_sync_summary *s, int dry_run)
{
	static const char *const names[] = {"claimed",       "published", "withdrawn", "completed",
	                                    "skipped_stale", "retried",   "failed"};
	const long values[] = {s->claimed,       s->published, s->withdrawn, s->completed,
	                       s->skipped_stale, s->retried,   s->failed};

	print_counts(inv, names, values, sizeof(values) / sizeof(values[0]), s->duration_ms,
	             dry_run);
	return s->retried + s->failed ? EXIT_PARTIAL : 0;
}

static int sync_run(struct invocation *inv, const snap_sync_opts *o)
{
	snap_sync_summary s = {0};
	snap_error err = {0};
	snap_code rc = snap_sync(inv->ctx, o, &s, &err);
	int code;

	/* The summary of what was done goes out whatever stopped the run. */
	if (rc != SNAP_OK && rc != SNAP_ERR_UNAVAILABLE && rc != SNAP_ERR_TEMPORARY)
		return fail_snap(inv, &err);
	code = summary(inv, &s, o->dry_run);
	return rc == SNAP_OK ? code : fail_snap(inv, &err);
}

int cmd_publish(struct invocation *inv)
{
	snap_sync_opts o = {0};

	if (!inv->nargs)
		return fail(inv, EXIT_USAGE, "publish takes one or more BOOKING_IDs");
	o.ids = (const char *const *)inv->args;
	o.nids = (size_t)inv->nargs;
	o.dry_run = inv->opt[OPT_DRY_RUN] != NULL;
	return sync_run(inv, &o);
}

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
	return sync_run(inv, &o);
}

int cmd_withdraw(struct invocation *inv)
{
	snap_error err = {0};
	int dry_run = inv->opt[OPT_DRY_RUN] != NULL;

	if (inv->nargs != 1)
		return fail(inv, EXIT_USAGE, "withdraw takes exactly one BOOKING_ID");
	if (snap_withdraw(inv->ctx, inv->args[0], dry_run, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	if (human_output(inv))
		printf("%s%s withdrawn\n", inv->args[0], dry_run ? " would be" : "");
	return 0;
}
