/* snapctl publish, sync-all and withdraw: the listing side. A summary on stdout (one JSON
 * object with --json); exit 3 when some snapshots could not be published this time. */
#include <json-c/json.h>

#include "cli.h"

static int sync_run(struct invocation *inv, const snap_sync_opts *o, const char *job)
{
	static const char *const names[] = {"claimed",       "published", "withdrawn", "completed",
	                                    "skipped_stale", "retried",   "failed"};
	snap_sync_summary s = {0};
	snap_error err = {0};
	snap_code rc = snap_sync(inv->ctx, o, &s, &err);
	const long values[] = {s.claimed,       s.published, s.withdrawn, s.completed,
	                       s.skipped_stale, s.retried,   s.failed};
	struct run_summary r = {job,
	                        names,
	                        values,
	                        sizeof(values) / sizeof(values[0]),
	                        s.duration_ms,
	                        o->dry_run,
	                        s.retried + s.failed > 0,
	                        NULL};

	return finish_run(inv, &r, rc, &err);
}

int cmd_publish(struct invocation *inv)
{
	snap_sync_opts o = {0};

	if (!inv->nargs)
		return fail(inv, EXIT_USAGE, "publish takes one or more BOOKING_IDs");
	o.ids = (const char *const *)inv->args;
	o.nids = (size_t)inv->nargs;
	o.dry_run = inv->opt[OPT_DRY_RUN] != NULL;
	return sync_run(inv, &o, NULL);
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
	return sync_run(inv, &o, "sync-all");
}

int cmd_withdraw(struct invocation *inv)
{
	snap_error err = {0};
	int dry_run = inv->opt[OPT_DRY_RUN] != NULL;

	if (inv->nargs != 1)
		return fail(inv, EXIT_USAGE, "withdraw takes exactly one BOOKING_ID");
	if (snap_withdraw(inv->ctx, inv->args[0], dry_run, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	if (inv->opt[OPT_JSON]) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "booking_id", json_object_new_string(inv->args[0]));
		json_object_object_add(o, "status", json_object_new_string("withdrawn"));
		if (dry_run)
			json_object_object_add(o, "dry_run", json_object_new_boolean(1));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else if (human_output(inv))
		printf("%s%s withdrawn\n", inv->args[0], dry_run ? " would be" : "");
	return 0;
}
