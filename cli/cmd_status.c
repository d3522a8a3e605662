/* snapctl status: what needs attention (exit 3 when something does). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static long get_long(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long)json_object_get_int64(v) : 0;
}

static void print_text(struct json_object *st)
{
	struct json_object *v, *why = NULL;
	size_t i;

	json_object_object_get_ex(st, "attention", &why);
	printf("schema version %ld\nsnapshots:", get_long(st, "schema_version"));
	if (json_object_object_get_ex(st, "counts", &v)) {
		const char *sep = " ";

		json_object_object_foreach(v, status, n)
		{
			printf("%s%ld %s", sep, (long)json_object_get_int64(n), status);
			sep = ", ";
		}
	}
	printf("\noldest due: %ld s; leases: %ld active, %ld expired\n",
	       get_long(st, "oldest_due_seconds"), get_long(st, "active_leases"),
	       get_long(st, "expired_leases"));
	if (json_object_object_get_ex(st, "failed", &v))
		for (i = 0; i < json_object_array_length(v); i++) {
			struct json_object *f = json_object_array_get_idx(v, i), *id, *e;

			json_object_object_get_ex(f, "booking_id", &id);
			json_object_object_get_ex(f, "last_error", &e);
			printf("failed: %s after %ld attempts: %s\n", json_object_get_string(id),
			       get_long(f, "attempts"), e ? json_object_get_string(e) : "");
		}
	if (json_object_object_get_ex(st, "missing_source_indexes", &v))
		for (i = 0; i < json_object_array_length(v); i++)
			printf("missing source index: %s\n",
			       json_object_get_string(json_object_array_get_idx(v, i)));
	if (json_object_object_get_ex(st, "runs", &v)) {
		json_object_object_foreach(v, job, run)
		{
			struct json_object *outcome, *end, *counts;

			json_object_object_get_ex(run, "outcome", &outcome);
			json_object_object_get_ex(run, "finished_at", &end);
			json_object_object_get_ex(run, "counts", &counts);
			printf("last %s: %s at %s %s\n", job, json_object_get_string(outcome),
			       json_object_get_string(end),
			       json_object_to_json_string_ext(counts, JSON_C_TO_STRING_PLAIN));
		}
	}
	for (i = 0; i < json_object_array_length(why); i++)
		printf("attention: %s\n",
		       json_object_get_string(json_object_array_get_idx(why, i)));
	if (!json_object_array_length(why))
		printf("all well\n");
}

int cmd_status(struct invocation *inv)
{
	long top = inv->count[OPT_LIMIT];
	snap_status_report report;
	snap_error err = {0};
	struct json_object *st;

	if (snap_status(inv->ctx, (int)(top > 1000 ? 1000 : top), &report, &err) != SNAP_OK)
		return fail_snap(inv, &err);
	st = json_tokener_parse(report.json);
	snap_free(report.json);
	if (!st)
		return fail(inv, EXIT_SOFTWARE, "status: unreadable JSON from the database");
	if (inv->opt[OPT_JSON])
		printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
	else if (human_output(inv))
		print_text(st);
	json_object_put(st);
	return report.attention ? EXIT_PARTIAL : 0;
}
